package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/rules"
)

// parseNumbers reads AIRCALL_NUMBERS. "*" means every line of the account.
// Otherwise each comma-separated entry is either an Aircall number ID (a
// short bare digit string) or a phone number (anything with +, space, -, (,
// ) or ., or a bare digit string of 10+ digits), normalised to E.164 so that
// two spellings of one number compare equal. A phone without a country code
// needs DEFAULT_REGION. Repeats within the instance are dropped silently.
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

func parseNumberRef(p *problems, variable, raw, region string) (NumberRef, bool) {
	if !strings.ContainsAny(raw, "0123456789") || strings.IndexFunc(raw, notNumberRune) >= 0 {
		p.add(variable, "%q is neither an Aircall number ID nor a phone number", raw)
		return NumberRef{}, false
	}
	if !isPhoneEntry(raw) {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			p.add(variable, "%q is not a valid Aircall number ID (a positive integer)", raw)
			return NumberRef{}, false
		}
		return NumberRef{Raw: raw, ID: id}, true
	}
	if region == "" && !strings.HasPrefix(raw, "+") {
		p.add(variable, "%q has no country code: write it as +<country code>... or set DEFAULT_REGION for this instance", raw)
		return NumberRef{}, false
	}
	e164, ok := rules.NormalizePhone(raw, region)
	if !ok {
		p.add(variable, "%q is not a valid phone number", raw)
		return NumberRef{}, false
	}
	return NumberRef{Raw: raw, E164: e164}, true
}

// isPhoneEntry tells a phone number from an Aircall number ID: IDs are short
// bare digit strings, phone numbers are formatted or at least 10 digits long.
func isPhoneEntry(raw string) bool {
	if strings.HasPrefix(raw, "+") || strings.ContainsAny(raw, " -().") {
		return true
	}
	return isDigits(raw) && len(raw) >= 10
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
