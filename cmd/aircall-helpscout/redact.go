package main

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// redactedValue stands in for every secret that is set: `check` and logs
// show that a secret is present, never what it is.
const redactedValue = "<redacted>"

// Redacted returns the effective configuration keyed by environment
// variable name (instance variables with their prefix), with secrets masked
// and account identifiers shortened, so that `check` can print it and an
// operator can paste it into a bug report.
func (c *Config) Redacted() map[string]string {
	m := map[string]string{}
	for _, v := range varsOf(scopeGlobal) {
		m[v.name] = shown(v, c, nil)
	}
	for i := range c.Instances {
		in := &c.Instances[i]
		for _, v := range varsOf(scopeInstance) {
			m[in.Prefix+v.name] = shown(v, c, in)
		}
	}
	return m
}

// shown is a variable's value as check prints it: secrets masked.
func shown(v varSpec, c *Config, in *InstanceConfig) string {
	s := v.show(c, in)
	if v.secret {
		return maskSecret(s)
	}
	return s
}

// numbersString renders an instance's numbers canonically (IDs as written,
// phones in E.164).
func numbersString(in InstanceConfig) string {
	if in.AllNumbers {
		return "*"
	}
	parts := make([]string, len(in.Numbers))
	for i, n := range in.Numbers {
		if n.E164 != "" {
			parts[i] = n.E164
		} else {
			parts[i] = strconv.FormatInt(n.ID, 10)
		}
	}
	return strings.Join(parts, ",")
}

func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	return redactedValue
}

// maskID keeps a short head of an account identifier: enough to tell two
// accounts apart, not enough to be half of a credential.
func maskID(s string) string {
	const keep = 4
	if s == "" {
		return ""
	}
	if len(s) <= 2*keep {
		return redactedValue
	}
	return s[:keep] + "…"
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return redactedValue
	}
	return u.Redacted()
}

// WriteRedacted prints Redacted as sorted VAR=value lines, the form `check`
// shows and an operator can compare with their env file.
func (c *Config) WriteRedacted(w io.Writer) error {
	m := c.Redacted()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, err := fmt.Fprintf(w, "%s=%s\n", k, m[k]); err != nil {
			return fmt.Errorf("write config: %w", err)
		}
	}
	return nil
}
