package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"
)

// DBConfig is the configuration of the commands that read only the
// database (status, explain, retry): an operator looking at what happened
// must not need the API secrets, so these commands read DATABASE_PATH,
// INSTANCES (to name the instances) and RETENTION (to say what is kept),
// and validate nothing else.
type DBConfig struct {
	DatabasePath string
	Instances    []string // lower-case names in INSTANCES order; ["default"] when unset
	Retention    time.Duration
}

// dbOnlyVariables are the variables LoadDBConfig reads.
var dbOnlyVariables = []string{"DATABASE_PATH", "INSTANCES", "RETENTION"}

// LoadDBConfig reads the database-only configuration with the same rules,
// defaults and messages as LoadConfig, reporting every problem at once.
func LoadDBConfig(lookup envconfig.Lookuper) (*DBConfig, error) {
	if lookup == nil {
		return nil, errors.New("load config: nil lookuper")
	}
	l := trimmedLookuper{l: lookup}
	var p problems
	c := &Config{}
	for _, name := range dbOnlyVariables {
		v, ok := lookupVar(name)
		if !ok {
			return nil, fmt.Errorf("load config: %s is not in the variables table", name)
		}
		v.global(&p, v.name, valueOf(l, v.name, v.def), c)
	}
	names, _ := parseInstanceNames(&p, c.instancesRaw)
	p.hintQuotes(l.Lookup)
	p.hintDefaults(l.Lookup)
	if err := p.err(); err != nil {
		return nil, err
	}
	return &DBConfig{DatabasePath: c.DatabasePath, Instances: names, Retention: c.Retention}, nil
}

// instancesFor narrows the configured instances to an --instance value
// ("" = all). runDBOnly has already refused an unknown name.
func (c *DBConfig) instancesFor(flagValue string) []string {
	if flagValue == "" {
		return c.Instances
	}
	if n, ok := c.instance(flagValue); ok {
		return []string{n}
	}
	return nil
}

// instance resolves an --instance value against the configured names,
// case-insensitively, like Config.Instance.
func (c *DBConfig) instance(name string) (string, bool) {
	for _, n := range c.Instances {
		if strings.EqualFold(n, name) {
			return n, true
		}
	}
	return "", false
}
