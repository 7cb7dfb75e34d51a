package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/rules"
)

// parseNumbers reads AIRCALL_NUMBERS. "*" means every line of the account.
// Otherwise each comma-separated entry is an Aircall number ID or a phone
// number (see parseNumberRef), phones normalised to E.164 so that two
// spellings of one number compare equal. Repeats within the instance are
// dropped silently.
func parseNumbers(p *problems, variable, value, region string) ([]NumberRef, bool) {
	if value == "" {
		p.add(variable, "missing (required: Aircall number IDs or phone numbers, comma-separated, or * for all)")
		return nil, false
	}
	entries := strings.Split(value, ",")
	if strings.TrimSpace(value) == "*" {
		return nil, true
	}
	var refs []NumberRef
	seen := map[NumberRef]bool{}
	for i, e := range entries {
		raw := strings.TrimSpace(e)
		if raw == "" {
			p.add(variable, "entry %d is empty", i+1)
			continue
		}
		if raw == "*" {
			p.add(variable, "\"*\" (all numbers) cannot be combined with other entries")
			continue
		}
		ref, ok := parseNumberRef(p, variable, raw, region)
		if !ok {
			continue
		}
		key := NumberRef{ID: ref.ID, E164: ref.E164}
		if seen[key] {
			continue
		}
		seen[key] = true
		refs = append(refs, ref)
	}
	return refs, false
}

// maxBareID is the longest bare digit string read as an Aircall number ID.
// Aircall's number IDs are 7 digits today (e.g. 1389850), while national
// phone numbers are 8 to 10+ digits long: a bare 8- or 9-digit string (a
// Spanish 612345678, a Danish 12345678) could be either, and guessing wrong
// silently logs nothing for that line, so it must be written id:… or as a
// phone (+…, 00…, tel:…).
const (
	maxBareID    = 7
	minBarePhone = 10
)

// parseNumberRef reads one entry:
//   - id:N is an Aircall number ID, whatever its length;
//   - tel:…, an entry starting with + or 00 (international prefix), or one
//     written with spaces, -, ., ( or ) is a phone number;
//   - a bare digit string of up to 7 digits is an ID, of 10 or more a phone
//     number; of 8 or 9 digits it is a phone number when it starts with 0
//     (a national trunk prefix; IDs never start with 0) and otherwise
//     ambiguous, refused with how to write either.
//
// A phone without a country code (+, 00, or (+CC)) needs DEFAULT_REGION.
func parseNumberRef(p *problems, variable, raw, region string) (NumberRef, bool) {
	lower := strings.ToLower(raw)
	if rest, ok := strings.CutPrefix(lower, "id:"); ok {
		id, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
		if err != nil || id <= 0 {
			p.add(variable, "%q: an id: entry must be a positive integer (an Aircall number ID)", raw)
			return NumberRef{}, false
		}
		return NumberRef{Raw: raw, ID: id}, true
	}
	phone, forced := strings.CutPrefix(lower, "tel:")
	phone = strings.TrimSpace(phone)
	if !strings.ContainsAny(phone, "0123456789") || strings.IndexFunc(phone, notNumberRune) >= 0 {
		p.add(variable, "%q is neither an Aircall number ID nor a phone number", raw)
		return NumberRef{}, false
	}
	bareShort := !forced && isDigits(phone) && len(phone) < minBarePhone
	if bareShort && !(len(phone) > maxBareID && phone[0] == '0') {
		if len(phone) > maxBareID {
			p.add(variable, "%q is ambiguous: write id:%s for an Aircall number ID, or the phone number with its country code (+34 %s, 0034%s) or as tel:%s with DEFAULT_REGION", raw, phone, phone, phone, phone)
			return NumberRef{}, false
		}
		id, err := strconv.ParseInt(phone, 10, 64)
		if err != nil || id <= 0 {
			p.add(variable, "%q is not a valid Aircall number ID (a positive integer)", raw)
			return NumberRef{}, false
		}
		return NumberRef{Raw: raw, ID: id}, true
	}
	intl := internationalForm(phone)
	if region == "" && !strings.HasPrefix(intl, "+") {
		p.add(variable, "%q has no country code: write it as +<country code>... (or 00<country code>...) or set DEFAULT_REGION for this instance", raw)
		return NumberRef{}, false
	}
	e164, ok := rules.NormalizePhone(intl, region)
	if !ok {
		p.add(variable, "%q is not a valid phone number", raw)
		return NumberRef{}, false
	}
	return NumberRef{Raw: raw, E164: e164}, true
}

// internationalForm rewrites the spellings of a country code that the phone
// library reads as national digits: "0034 612…" (the 00 international
// prefix used across Europe) and "(+34) 612…" (country code in
// parentheses) both become "+34612…". Anything else is returned as is.
func internationalForm(s string) string {
	compact := strings.Map(func(r rune) rune {
		if strings.ContainsRune(" -.()", r) {
			return -1
		}
		return r
	}, s)
	switch {
	case strings.HasPrefix(compact, "+"):
		return compact
	case strings.HasPrefix(compact, "00") && len(compact) > 4:
		return "+" + compact[2:]
	}
	return s
}

// describeNumber says how an entry was understood, for check.
func describeNumber(ref NumberRef) string {
	if ref.E164 != "" {
		return fmt.Sprintf("%q → phone number %s", ref.Raw, ref.E164)
	}
	return fmt.Sprintf("%q → Aircall number ID %d", ref.Raw, ref.ID)
}

// notNumberRune reports characters that appear in neither an ID nor a
// written phone number; letters mean a typo, not a format.
func notNumberRune(r rune) bool {
	return !strings.ContainsRune("+0123456789 -().", r)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// checkAcrossInstances enforces that a number belongs to one instance only
// (overlapping integrations log everything twice), including "*" when there
// are several instances. Overlaps only the API can see (an ID in one
// instance, its phone number in another) are left to `check` and each pass.
func checkAcrossInstances(p *problems, instances []InstanceConfig) {
	type owner struct{ instance, variable string }
	owners := map[NumberRef]owner{}
	for _, in := range instances {
		variable := in.Prefix + "AIRCALL_NUMBERS"
		if in.AllNumbers && len(instances) > 1 {
			p.add(variable, "\"*\" (all numbers) is not allowed when INSTANCES lists several instances: every number would be logged twice")
		}
		for _, ref := range in.Numbers {
			key := NumberRef{ID: ref.ID, E164: ref.E164}
			if o, dup := owners[key]; dup {
				p.add(variable, "%s is also listed by instance %q (%s): a number may belong to one instance only", describeRef(ref), o.instance, o.variable)
				continue
			}
			owners[key] = owner{instance: in.Name, variable: variable}
		}
	}
}

func describeRef(ref NumberRef) string {
	if ref.E164 != "" && ref.E164 != ref.Raw {
		return fmt.Sprintf("%q (%s)", ref.Raw, ref.E164)
	}
	return fmt.Sprintf("%q", ref.Raw)
}

// checkWebhookToken requires AIRCALL_WEBHOOK_TOKEN only when some instance
// logs messages, because messages only arrive through webhooks.
func checkWebhookToken(p *problems, c *Config) {
	if c.AircallWebhookToken != "" {
		return
	}
	var logging, switches []string
	for _, in := range c.Instances {
		if in.LogMessages {
			logging = append(logging, fmt.Sprintf("%q", in.Name))
			switches = append(switches, in.Prefix+"LOG_MESSAGES=false")
		}
	}
	// Name the variables exactly as the operator must write them: with
	// INSTANCES set, an unprefixed LOG_MESSAGES=false is not read at all.
	switch len(logging) {
	case 0:
	case 1:
		p.add("AIRCALL_WEBHOOK_TOKEN", "missing (required because instance %s logs SMS/WhatsApp messages; set it, or set %s)", logging[0], switches[0])
	default:
		p.add("AIRCALL_WEBHOOK_TOKEN", "missing (required because instances %s log SMS/WhatsApp messages; set it, or set %s)", strings.Join(logging, ", "), strings.Join(switches, " and "))
	}
}
