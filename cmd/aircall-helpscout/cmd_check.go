package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/clients/helpscout"
	"github.com/aircall-helpscout/aircall-helpscout/reconciler"
)

// Finding levels printed by check. Only fail makes check exit non-zero.
const (
	levelOK   = "ok"
	levelWarn = "warn"
	levelFail = "FAIL"
	levelSkip = "skip"
)

// checker prints findings as it goes and remembers whether any failed.
type checker struct {
	w     io.Writer
	fails int
}

func (c *checker) add(level, format string, args ...any) {
	if level == levelFail {
		c.fails++
	}
	fmt.Fprintf(c.w, "%-4s  %s\n", level, fmt.Sprintf(format, args...))
}

// errCheckFailed is what check returns when a finding failed (exit 1).
var errCheckFailed = errors.New("check failed")

// checkTimeout bounds the whole check so a hung API is a finding, not a hang.
const checkTimeout = 2 * time.Minute

// cmdCheck verifies the configuration, both credentials, each instance's
// mailbox and numbers, and whether the AI add-ons answer. Each finding is
// one line; it returns errCheckFailed if any failed.
func cmdCheck(ctx context.Context, e *env) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	cfg := e.Config
	c := &checker{w: e.Stdout}
	c.add(levelOK, "configuration: valid, %d instance(s), database %s", len(cfg.Instances), cfg.DatabasePath)
	for _, w := range configWarnings(cfg, e.Getenv) {
		c.add(levelWarn, "%s", w)
	}

	ac, hs, err := newClients(cfg, nil)
	if err != nil {
		c.add(levelFail, "clients: %v", err)
		return checkResult(c)
	}
	acOK := checkAircall(ctx, c, ac)
	hsOK := checkHelpScout(ctx, c, hs)
	if hsOK {
		for _, in := range cfg.Instances {
			checkMailbox(ctx, c, hs, in)
		}
	} else {
		c.add(levelSkip, "mailboxes: not checked (Help Scout credentials failed)")
	}
	if acOK {
		checkNumbers(ctx, c, ac, cfg)
		checkAddons(ctx, c, ac, cfg, e.Now())
	} else {
		c.add(levelSkip, "numbers and AI add-ons: not checked (Aircall credentials failed)")
	}

	fmt.Fprintln(e.Stdout, "\nEffective configuration (secrets masked):")
	if err := cfg.WriteRedacted(e.Stdout); err != nil {
		return err
	}
	return checkResult(c)
}

func checkResult(c *checker) error {
	if c.fails > 0 {
		return fmt.Errorf("%w: %d finding(s) failed", errCheckFailed, c.fails)
	}
	return nil
}

func checkAircall(ctx context.Context, c *checker, ac *aircall.Client) bool {
	err := ac.Ping(ctx)
	switch {
	case err == nil:
		c.add(levelOK, "Aircall credentials: accepted")
		return true
	case errors.Is(err, aircall.ErrBadCredentials):
		c.add(levelFail, "Aircall credentials: refused (403): check AIRCALL_API_ID and AIRCALL_API_TOKEN")
	default:
		c.add(levelFail, "Aircall: cannot reach AIRCALL_API_URL: %v", err)
	}
	return false
}

func checkHelpScout(ctx context.Context, c *checker, hs *helpscout.Client) bool {
	err := hs.Authenticate(ctx)
	switch {
	case err == nil:
		c.add(levelOK, "Help Scout credentials: accepted")
		return true
	case errors.Is(err, helpscout.ErrBadCredentials):
		c.add(levelFail, "Help Scout credentials: refused: check HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET")
	default:
		c.add(levelFail, "Help Scout: cannot get a token from HELPSCOUT_API_URL: %v", err)
	}
	return false
}

func checkMailbox(ctx context.Context, c *checker, hs *helpscout.Client, in InstanceConfig) {
	mb, err := hs.GetMailbox(ctx, in.MailboxID)
	switch {
	case err == nil:
		c.add(levelOK, "instance %s: mailbox %d (%s) found", in.Name, mb.ID, mb.Name)
	case errors.Is(err, helpscout.ErrNotFound):
		c.add(levelFail, "instance %s: %sHELPSCOUT_MAILBOX_ID=%d: no such mailbox, or the app cannot see it", in.Name, in.Prefix, in.MailboxID)
	default:
		c.add(levelFail, "instance %s: mailbox %d: %v", in.Name, in.MailboxID, err)
	}
}

// checkNumbers resolves every configured number against Aircall's list:
// unknown entries and overlaps only the API can reveal fail.
func checkNumbers(ctx context.Context, c *checker, ac *aircall.Client, cfg *Config) {
	nums, err := ac.ListNumbers(ctx)
	if err != nil {
		c.add(levelFail, "Aircall numbers: cannot list: %v", err)
		return
	}
	rt := reconciler.Route(instances(cfg), nums)
	for _, u := range rt.Unknown {
		c.add(levelFail, "number not found in Aircall: %s", u)
	}
	for _, o := range rt.OverlapProblems() {
		c.add(levelFail, "%s", o)
	}
	for _, in := range cfg.Instances {
		if in.AllNumbers {
			c.add(levelOK, "instance %s: all %d Aircall numbers", in.Name, len(nums))
		}
	}
	if len(rt.Unknown) == 0 && len(rt.Overlaps) == 0 {
		c.add(levelOK, "Aircall numbers: every configured number exists (%d in the account)", len(nums))
	}
}

// checkAddons asks the transcript and AI endpoints about one recent call: 403
// means the add-on is off (calls are then logged without), which is worth a
// warning, not a failure.
func checkAddons(ctx context.Context, c *checker, ac *aircall.Client, cfg *Config, now time.Time) {
	var wantT, wantAI bool
	for _, in := range cfg.Instances {
		wantT = wantT || in.LogTranscripts
		wantAI = wantAI || in.LogAIInsights
	}
	if !wantT && !wantAI {
		c.add(levelSkip, "AI add-ons: not used (LOG_TRANSCRIPTS and LOG_AI_INSIGHTS are false everywhere)")
		return
	}
	var callID int64
	for call, err := range ac.ListCalls(ctx, now.Add(-7*24*time.Hour), now) {
		if err != nil {
			c.add(levelWarn, "AI add-ons: cannot list recent calls: %v", err)
			return
		}
		if call.Status == "done" {
			callID = call.ID
			break
		}
	}
	if callID == 0 {
		c.add(levelSkip, "AI add-ons: no finished call in the last 7 days to ask about")
		return
	}
	if wantT {
		_, err := ac.Transcription(ctx, callID)
		addonFinding(c, "transcripts", switchesOff(cfg, "LOG_TRANSCRIPTS", func(in InstanceConfig) bool { return in.LogTranscripts }), callID, err)
	}
	if wantAI {
		_, err := ac.Summary(ctx, callID)
		addonFinding(c, "AI insights", switchesOff(cfg, "LOG_AI_INSIGHTS", func(in InstanceConfig) bool { return in.LogAIInsights }), callID, err)
	}
}

// switchesOff names, as the operator must write them (with the instance
// prefix), the settings that turn variable off where it is on.
func switchesOff(cfg *Config, variable string, on func(InstanceConfig) bool) string {
	var vs []string
	for _, in := range cfg.Instances {
		if on(in) {
			vs = append(vs, in.Prefix+variable+"=false")
		}
	}
	return strings.Join(vs, " / ")
}

func addonFinding(c *checker, what, variable string, callID int64, err error) {
	switch {
	case err == nil:
		c.add(levelOK, "Aircall %s: available (call %d has one)", what, callID)
	case errors.Is(err, aircall.ErrNotReady):
		c.add(levelOK, "Aircall %s: the add-on answers (nothing generated for call %d)", what, callID)
	case errors.Is(err, aircall.ErrNotLicensed):
		c.add(levelWarn, "Aircall %s: add-on not enabled (403): calls are logged without; set %s to stop asking", what, variable)
	default:
		c.add(levelWarn, "Aircall %s: %v", what, err)
	}
}

// configWarnings finds settings that are valid but almost certainly not
// what the operator meant. They are warnings, not configuration errors,
// because SPEC §3 defines what is read and these values are simply unused.
func configWarnings(cfg *Config, getenv func(string) string) []string {
	var ws []string
	// With INSTANCES set, per-instance variables are read only with a
	// prefix: an unprefixed CONVERSATION_MODE=existing is not a default for
	// the instances, it is ignored. config.example.env lists the unprefixed
	// names with their defaults, so only values that differ from the
	// default are worth a warning.
	if getenv != nil && cfg.Instances[0].Prefix != "" {
		example := cfg.Instances[0].Prefix
		for _, v := range instanceVariables() {
			val := strings.TrimSpace(getenv(v.name))
			if val == "" || strings.EqualFold(val, v.def) {
				continue
			}
			ws = append(ws, fmt.Sprintf("%s is set but not read: with INSTANCES set, per-instance variables take the instance prefix (e.g. %s%s)", v.name, example, v.name))
		}
	}
	for _, in := range cfg.Instances {
		if in.ReopenClosed && in.ConversationMode == ModeNew {
			ws = append(ws, fmt.Sprintf("instance %s: %sREOPEN_CLOSED=true has no effect with %sCONVERSATION_MODE=new", in.Name, in.Prefix, in.Prefix))
		}
	}
	// Secrets pass validation whatever they hold, so a quoted one (kept by
	// docker --env-file) only shows up as refused credentials.
	if getenv != nil {
		for _, name := range []string{"AIRCALL_API_ID", "AIRCALL_API_TOKEN", "AIRCALL_WEBHOOK_TOKEN", "HELPSCOUT_APP_ID", "HELPSCOUT_APP_SECRET"} {
			if isQuoted(strings.TrimSpace(getenv(name))) {
				ws = append(ws, fmt.Sprintf("%s is in quotes, which --env-file keeps as part of the value: remove them", name))
			}
		}
	}
	return ws
}

type instanceVariable struct{ name, def string }

// instanceVariables lists the per-instance variables and their defaults,
// read from rawInstance's tags so that the list cannot drift from LoadConfig.
func instanceVariables() []instanceVariable {
	var vs []instanceVariable
	t := reflect.TypeFor[rawInstance]()
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("env")
		name, opts, _ := strings.Cut(tag, ",")
		v := instanceVariable{name: strings.TrimSpace(name)}
		for _, o := range strings.Split(opts, ",") {
			if d, ok := strings.CutPrefix(strings.TrimSpace(o), "default="); ok {
				v.def = d
			}
		}
		vs = append(vs, v)
	}
	return vs
}
