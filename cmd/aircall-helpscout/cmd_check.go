package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
	"io"
	"slices"
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
	for _, w := range configWarnings(cfg, e.Getenv, e.envNames()) {
		c.add(levelWarn, "%s", w)
	}
	for _, in := range cfg.Instances {
		if in.AllNumbers {
			c.add(levelOK, "instance %s: %sAIRCALL_NUMBERS=* (every line of the account)", in.Name, in.Prefix)
			continue
		}
		for _, ref := range in.Numbers {
			c.add(levelOK, "instance %s: %sAIRCALL_NUMBERS %s", in.Name, in.Prefix, describeNumber(ref))
		}
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
		checkWebhook(ctx, c, ac, cfg)
	} else {
		c.add(levelSkip, "numbers, AI add-ons and webhook: not checked (Aircall credentials failed)")
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
		// Aircall answers bad credentials with 403 and sometimes 401; the
		// client maps both here, so the finding names no status.
		c.add(levelFail, "Aircall credentials: refused: check AIRCALL_API_ID and AIRCALL_API_TOKEN")
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
// because what is read is defined, and these values are simply unused.
// names lists the environment's variable names (values are never shown).
func configWarnings(cfg *Config, getenv func(string) string, names []string) []string {
	var ws []string
	// With INSTANCES set, per-instance variables are read only with a
	// prefix: an unprefixed CONVERSATION_MODE=existing is not a default for
	// the instances, it is ignored. config.example.env lists the unprefixed
	// names with their defaults, so only values that differ from the
	// default are worth a warning.
	if getenv != nil && cfg.Instances[0].Prefix != "" {
		example := cfg.Instances[0].Prefix
		for _, v := range varsOf(scopeInstance) {
			val := strings.TrimSpace(getenv(v.name))
			if val == "" || strings.EqualFold(val, v.def) {
				continue
			}
			ws = append(ws, fmt.Sprintf("%s is set but not read: with INSTANCES set, per-instance variables take the instance prefix (e.g. %s%s)", v.name, example, v.name))
		}
	}
	ws = append(ws, unknownVariables(cfg, names)...)
	for _, in := range cfg.Instances {
		if in.ReopenClosed && in.ConversationMode == rules.ModeNew {
			ws = append(ws, fmt.Sprintf("instance %s: %sREOPEN_CLOSED=true has no effect with %sCONVERSATION_MODE=new", in.Name, in.Prefix, in.Prefix))
		}
	}
	// Secrets pass validation whatever they hold, so a quoted one (kept by
	// docker --env-file) only shows up as refused credentials.
	if getenv != nil {
		for _, v := range variables {
			if (v.secret || v.defDoc == "required") && v.scope == scopeGlobal && isQuoted(strings.TrimSpace(getenv(v.name))) {
				ws = append(ws, fmt.Sprintf("%s is in quotes, which --env-file keeps as part of the value: remove them", v.name))
			}
		}
	}
	return ws
}

// unknownVariables warns about names that look like ours but are not read:
// a known instance prefix with an unknown suffix (A_CONVERSATON_MODE), a
// known per-instance suffix behind a prefix INSTANCES does not list
// (C_AIRCALL_NUMBERS, or PARTNERS_… with INSTANCES unset), and a near miss
// of a global name (HELPSCOUT_APP_SECRT). Anything else in the environment
// (HOME, PATH, other programs' settings) is not ours and is left alone.
func unknownVariables(cfg *Config, names []string) []string {
	known := map[string]bool{}
	for _, v := range varsOf(scopeGlobal) {
		known[v.name] = true
	}
	var prefixes []string
	for _, in := range cfg.Instances {
		for _, v := range varsOf(scopeInstance) {
			known[in.Prefix+v.name] = true
		}
		if in.Prefix != "" {
			prefixes = append(prefixes, in.Prefix)
		}
	}
	// Unprefixed per-instance names are handled by the "set but not read"
	// warning when INSTANCES is set.
	for _, v := range varsOf(scopeInstance) {
		known[v.name] = true
	}
	var ws []string
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		if known[n] {
			continue
		}
		if w := unknownVariable(n, prefixes, known); w != "" {
			ws = append(ws, w)
		}
	}
	return ws
}

func unknownVariable(n string, prefixes []string, known map[string]bool) string {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(n, p); ok && rest != "" {
			msg := fmt.Sprintf("%s is not a variable of instance %s and is not read", n, strings.ToLower(strings.TrimSuffix(p, "_")))
			if s := closest(rest, instanceVarNames()); s != "" {
				msg += fmt.Sprintf(" (did you mean %s%s?)", p, s)
			}
			return msg
		}
	}
	for _, v := range varsOf(scopeInstance) {
		prefix, ok := strings.CutSuffix(n, "_"+v.name)
		if !ok || prefix == "" {
			continue
		}
		if len(prefixes) == 0 {
			return fmt.Sprintf("%s is not read: INSTANCES is unset, so the single instance reads %s without prefix (or list %s in INSTANCES)", n, v.name, strings.ToLower(prefix))
		}
		return fmt.Sprintf("%s is not read: %s is not in INSTANCES (%s)", n, strings.ToLower(prefix), strings.ToLower(strings.Join(trimAll(prefixes, "_"), ",")))
	}
	// Near misses of global names only, and only for names long enough that
	// an edit distance of 2 means a typo rather than another word.
	var globals []string
	for _, v := range varsOf(scopeGlobal) {
		globals = append(globals, v.name)
	}
	if s := closest(n, globals); s != "" && len(n) >= 8 {
		return fmt.Sprintf("%s is not a known variable and is not read (did you mean %s?)", n, s)
	}
	return ""
}

func instanceVarNames() []string {
	var out []string
	for _, v := range varsOf(scopeInstance) {
		out = append(out, v.name)
	}
	return out
}

func trimAll(ss []string, suffix string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSuffix(s, suffix)
	}
	return out
}

// closest is the candidate within edit distance 2 of s, if any.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two ASCII names.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
