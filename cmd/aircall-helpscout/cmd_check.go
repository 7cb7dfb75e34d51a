package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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
		addonFinding(c, "transcripts", "LOG_TRANSCRIPTS", callID, err)
	}
	if wantAI {
		_, err := ac.Summary(ctx, callID)
		addonFinding(c, "AI insights", "LOG_AI_INSIGHTS", callID, err)
	}
}

func addonFinding(c *checker, what, variable string, callID int64, err error) {
	switch {
	case err == nil:
		c.add(levelOK, "Aircall %s: available (call %d has one)", what, callID)
	case errors.Is(err, aircall.ErrNotReady):
		c.add(levelOK, "Aircall %s: the add-on answers (nothing generated for call %d)", what, callID)
	case errors.Is(err, aircall.ErrNotLicensed):
		c.add(levelWarn, "Aircall %s: add-on not enabled (403): calls are logged without; set %s=false to stop asking", what, variable)
	default:
		c.add(levelWarn, "Aircall %s: %v", what, err)
	}
}
