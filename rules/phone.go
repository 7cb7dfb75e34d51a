package rules

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// NormalizePhone turns a phone number written in any human format
// ("+1 617-610-5413", "(617) 610-5413", "0033 6 12 34 56 78") into E.164
// ("+16176105413"). region is the ISO 3166 alpha-2 country used when the
// number carries no country code; it may be empty, in which case only
// numbers with a country code parse. Anonymous, empty and unparseable
// numbers give ok=false: they must never match a customer.
func NormalizePhone(raw, region string) (e164 string, ok bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || IsAnonymous(raw) {
		return "", false
	}
	// Require at least a handful of digits: phonenumbers happily parses
	// vanity strings and short codes that are not customer identities.
	digits := 0
	for _, r := range raw {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 6 {
		return "", false
	}
	region = strings.ToUpper(strings.TrimSpace(region))
	if region == "" {
		region = "ZZ" // unknown region: only +CC numbers parse
	}
	num, err := phonenumbers.Parse(raw, region)
	if err != nil {
		return "", false
	}
	if !phonenumbers.IsPossibleNumber(num) {
		return "", false
	}
	e164 = phonenumbers.Format(num, phonenumbers.E164)
	// Guard against metadata quirks where a national number formats to an
	// E.164 string that does not parse back to itself (seen by fuzzing
	// with zero-filled numbers): such a number cannot be a stable key.
	back, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil || phonenumbers.Format(back, phonenumbers.E164) != e164 {
		return "", false
	}
	return e164, true
}

// IsAnonymous reports whether Aircall's raw_digits says the caller hid the
// number. Aircall writes the literal "anonymous"; other spellings seen from
// carriers are accepted too.
func IsAnonymous(raw string) bool {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "anonymous", "unknown", "private", "restricted", "withheld", "unavailable":
		return true
	}
	return false
}

// FormatPhone renders an E.164 number for people, in international format
// ("+34 612 34 56 78"). Anything that is not valid E.164 is returned as is.
func FormatPhone(e164 string) string {
	num, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// RegionOf returns the ISO country of an E.164 number ("" when unknown). The
// reconciler uses it for the DEFAULT_REGION fallback: a line's own country.
func RegionOf(e164 string) string {
	num, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil {
		return ""
	}
	return phonenumbers.GetRegionCodeForNumber(num)
}

// ValidRegion reports whether region is an ISO 3166 alpha-2 code that the
// phone library knows, for validating DEFAULT_REGION.
func ValidRegion(region string) bool {
	return phonenumbers.GetCountryCodeForRegion(strings.ToUpper(region)) != 0
}
