package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"
)

// usageError marks a mistake on the command line: exit 2, like flag does.
// cmd, when known, is the command whose help the message points to.
type usageError struct{ msg, cmd string }

func (e *usageError) Error() string {
	if e.cmd != "" {
		return e.msg + " (run 'aircall-helpscout help " + e.cmd + "' for usage)"
	}
	return e.msg + " (run 'aircall-helpscout help' for usage)"
}

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// configError marks an invalid configuration: exit 2, before any network
// request. It keeps the joined problems reachable through errors.Is/As.
type configError struct{ err error }

func (e *configError) Error() string {
	return "invalid configuration:\n  " + strings.ReplaceAll(e.err.Error(), "\n", "\n  ")
}

func (e *configError) Unwrap() error { return e.err }

// env is what a command gets to work with. Config is nil for demo, which
// needs no configuration.
type env struct {
	Config *Config
	DB     *DBConfig // set instead of Config for the database-only commands
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger
	Now    func() time.Time
}

// environNames lists the names of the process environment, for the
// warnings about unknown variables. A variable so that tests, which give
// run a map instead of the process environment, can list theirs.
var environNames = func() []string {
	var names []string
	for _, kv := range os.Environ() {
		if k, _, ok := strings.Cut(kv, "="); ok {
			names = append(names, k)
		}
	}
	return names
}

// envNames lists the set variables (empty values count as unset).
func (e *env) envNames() []string {
	var out []string
	for _, n := range environNames() {
		if e.Getenv(n) != "" {
			out = append(out, n)
		}
	}
	return out
}

// command describes one subcommand: how to parse its flags and how to run
// it. Parsing returns the options value handed to exec unchanged.
type command struct {
	name        string
	summary     string
	help        string
	needsConfig bool
	dbOnly      bool // reads only the database: DBConfig, no API secret needed
	parse       func(args []string, now time.Time) (any, error)
	exec        func(ctx context.Context, e *env, opts any) error
}

// commands in the order `help` lists them.
var commands = []command{
	{
		name: "serve", summary: "run passes on SCHEDULE, receive webhooks, serve /healthz and /metrics",
		help:        helpServe,
		needsConfig: true,
		parse:       noFlags("serve"),
		exec:        func(ctx context.Context, e *env, _ any) error { return cmdServe(ctx, e) },
	},
	{
		name: "run", summary: "run one pass now (or catch up a past period) and exit",
		help:        helpRun,
		needsConfig: true,
		parse:       func(args []string, now time.Time) (any, error) { return parseRunFlags(args, now) },
		exec:        func(ctx context.Context, e *env, o any) error { return cmdRun(ctx, e, o.(runOptions)) },
	},
	{
		name: "check", summary: "verify configuration, credentials, mailboxes, numbers and the webhook",
		help:        helpCheck,
		needsConfig: true,
		parse:       noFlags("check"),
		exec:        func(ctx context.Context, e *env, _ any) error { return cmdCheck(ctx, e) },
	},
	{
		name: "status", summary: "show cursors, recent passes, outcomes, waiting and failed items",
		help:   helpStatus,
		dbOnly: true,
		parse:  func(args []string, _ time.Time) (any, error) { return parseStatusFlags(args) },
		exec:   func(ctx context.Context, e *env, o any) error { return cmdStatus(ctx, e, o.(statusOptions)) },
	},
	{
		name: "explain", summary: "show everything the database knows about one call or message",
		help:   helpExplain,
		dbOnly: true,
		parse:  func(args []string, _ time.Time) (any, error) { return parseExplainFlags(args) },
		exec:   func(ctx context.Context, e *env, o any) error { return cmdExplain(ctx, e, o.(explainOptions)) },
	},
	{
		name: "retry", summary: "make parked (or given failed) items eligible for the next pass again",
		help:   helpRetry,
		dbOnly: true,
		parse:  func(args []string, _ time.Time) (any, error) { return parseRetryFlags(args) },
		exec:   func(ctx context.Context, e *env, o any) error { return cmdRetry(ctx, e, o.(retryOptions)) },
	},
	{
		name: "demo", summary: "run a pass against built-in fake Aircall and Help Scout (no credentials)",
		help:  helpDemo,
		parse: func(args []string, _ time.Time) (any, error) { return parseDemoFlags(args) },
		exec:  func(ctx context.Context, e *env, o any) error { return cmdDemo(ctx, e, o.(demoOptions)) },
	},
	{
		name: "register-webhook", summary: "create or complete the Aircall webhook at PUBLIC_URL and print its token",
		help:        helpRegisterWebhook,
		needsConfig: true,
		parse:       noFlags("register-webhook"),
		exec:        func(ctx context.Context, e *env, _ any) error { return cmdRegisterWebhook(ctx, e) },
	},
	{
		name: "healthcheck", summary: "exit 0 if the local serve answers /healthz with 200 (container HEALTHCHECK)",
		help:  helpHealthcheck,
		parse: noFlags("healthcheck"),
		exec:  func(ctx context.Context, e *env, _ any) error { return cmdHealthcheck(ctx, e) },
	},
	{
		name: "version", summary: "print the version and build information (also --version)",
		help:  helpVersion,
		parse: noFlags("version"),
		exec:  func(ctx context.Context, e *env, _ any) error { return cmdVersion(ctx, e) },
	},
}

// run is the whole program minus process concerns (signals, exit codes), so
// tests can drive it. args excludes the program name.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runAt(ctx, args, &env{Getenv: getenv, Stdout: stdout, Stderr: stderr, Now: time.Now})
}

// runAt is run with the environment given whole (getenv, stdout, stderr and
// an injectable clock, for --until's "now" in tests); it fills in e's
// configuration and logger for the command.
func runAt(ctx context.Context, args []string, e *env) error {
	if len(args) == 0 {
		fmt.Fprint(e.Stderr, topHelp())
		return usagef("no command given")
	}
	name, rest := args[0], args[1:]
	if name == "--version" || name == "-version" {
		name = "version"
	}
	if isHelp(name) {
		return printHelp(e.Stdout, rest)
	}
	cmd, ok := findCommand(name)
	if !ok {
		return usagef("unknown command %q", name)
	}

	opts, err := cmd.parse(rest, e.Now())
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.Stdout, cmd.help)
		return nil
	}
	if ue := (*usageError)(nil); errors.As(err, &ue) {
		ue.cmd = cmd.name
	}
	if err != nil {
		return err
	}

	if cmd.dbOnly {
		return jsonError(e.Stdout, opts, runDBOnly(ctx, e, cmd, opts))
	}
	if !cmd.needsConfig {
		e.Log = newLogger(e.Stderr, "info", "text")
		return cmd.exec(ctx, e, opts)
	}
	return execWithConfig(ctx, e, cmd, opts)
}

// execWithConfig runs a command that needs the whole configuration: it
// loads and checks it (a bad one is a configuration error, exit 2), sets up
// the logger it asks for, and warns the long-running commands of doubtful
// settings.
func execWithConfig(ctx context.Context, e *env, cmd command, opts any) error {
	cfg, err := LoadConfig(ctx, getenvLookuper(e.Getenv))
	if err != nil {
		return &configError{err: err}
	}
	if err := checkInstanceOption(cmd.name, cfg, opts); err != nil {
		if ue := (*usageError)(nil); errors.As(err, &ue) {
			ue.cmd = cmd.name
		}
		return err
	}
	e.Config = cfg
	e.Log = newLogger(e.Stderr, cfg.LogLevel, cfg.LogFormat)
	if cmd.name == "serve" || cmd.name == "run" {
		// check prints these as findings; the long-running commands log
		// them once at start-up, where an operator reading logs sees them.
		for _, w := range configWarnings(cfg, e.Getenv, e.envNames()) {
			e.Log.Warn("configuration: " + w)
		}
	}
	return cmd.exec(ctx, e, opts)
}

// runDBOnly runs a command that reads only the database.
func runDBOnly(ctx context.Context, e *env, cmd command, opts any) error {
	dbc, err := LoadDBConfig(getenvLookuper(e.Getenv))
	if err != nil {
		return &configError{err: err}
	}
	if name := instanceOption(opts); name != "" {
		if _, ok := dbc.instance(name); !ok {
			return &usageError{cmd: cmd.name, msg: fmt.Sprintf("%s: --instance %q: no such instance (configured: %s)", cmd.name, name, strings.Join(dbc.Instances, ", "))}
		}
	}
	e.DB = dbc
	e.Log = newLogger(e.Stderr, "info", "text")
	return cmd.exec(ctx, e, opts)
}

// jsonOutput is implemented by the options of commands with --json: their
// errors are printed as JSON too, so that a script reading stdout always
// gets JSON (the exit status says it failed).
type jsonOutput interface{ wantsJSON() bool }

// jsonError prints err as {"error": "..."} on stdout when the command was
// asked for JSON, and returns it unchanged for the exit status.
func jsonError(stdout io.Writer, opts any, err error) error {
	if j, ok := opts.(jsonOutput); ok && j.wantsJSON() && err != nil {
		_ = json.NewEncoder(stdout).Encode(map[string]string{"error": err.Error()})
	}
	return err
}

// writeJSON prints v as the indented JSON that --json commands write, so
// their output keeps one shape.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// instanceOption is the --instance value of opts, if it has one.
func instanceOption(opts any) string {
	switch o := opts.(type) {
	case runOptions:
		return o.Instance
	case statusOptions:
		return o.Instance
	case explainOptions:
		return o.Instance
	case retryOptions:
		return o.Instance
	}
	return ""
}

// getenvLookuper adapts os.Getenv-style functions; an empty value counts as
// unset, which is also how LoadConfig treats it.
func getenvLookuper(getenv func(string) string) envconfig.Lookuper {
	return envconfig.LookuperFunc(func(key string) (string, bool) {
		v := getenv(key)
		return v, v != ""
	})
}

// checkInstanceOption rejects --instance values that name no configured
// instance, listing the ones that exist. The message starts with the
// command, like every other flag error.
func checkInstanceOption(cmdName string, cfg *Config, opts any) error {
	name := instanceOption(opts)
	if name == "" {
		return nil
	}
	if _, ok := cfg.Instance(name); !ok {
		return usagef("%s: --instance %q: no such instance (configured: %s)", cmdName, name, strings.Join(cfg.InstanceNames(), ", "))
	}
	return nil
}

func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

func findCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// printHelp handles `help` and `help <command>`.
func printHelp(stdout io.Writer, rest []string) error {
	if len(rest) == 0 || isHelp(rest[0]) {
		// `help help` (and `help --help`): the top help lists help as a
		// command, so asking for its help is not an unknown command.
		fmt.Fprint(stdout, topHelp())
		return nil
	}
	cmd, ok := findCommand(rest[0])
	if !ok {
		return usagef("unknown command %q", rest[0])
	}
	fmt.Fprint(stdout, cmd.help)
	return nil
}

func topHelp() string {
	var b strings.Builder
	b.WriteString("aircall-helpscout logs Aircall calls, SMS and WhatsApp messages into Help Scout, exactly once.\n\n")
	b.WriteString("Usage:\n  aircall-helpscout <command> [flags]\n  aircall-helpscout help <command>   (or: <command> --help)\n\nCommands:\n")
	width := len("help")
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(&b, "  %-*s  %s\n\n", width, "help", "show this help, or 'help <command>'")
	b.WriteString("Configuration comes from environment variables; see config.example.env and README.md.\n")
	b.WriteString("Commands needing configuration (" + strings.Join(commandNames(func(c command) bool { return c.needsConfig }), ", ") + ")\n")
	b.WriteString("validate all of it first and exit 2, naming each wrong variable, before any request.\n")
	b.WriteString(strings.Join(commandNames(func(c command) bool { return c.dbOnly }), ", ") + " need no API secret: they read only DATABASE_PATH and INSTANCES\n")
	b.WriteString("(status also RETENTION); healthcheck reads only LISTEN_ADDR; demo and version need nothing.\n")
	b.WriteString("Exit status: 0 ok, 1 failure, 2 usage or configuration error.\n")
	return b.String()
}

// commandNames lists, in help order, the commands keep selects.
func commandNames(keep func(command) bool) []string {
	var names []string
	for _, c := range commands {
		if keep(c) {
			names = append(names, c.name)
		}
	}
	return names
}
