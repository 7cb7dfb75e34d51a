package helpscout

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// PhoneQueryDigits returns the distinct digit strings a human may have stored
// e164 as, for Help Scout's literal phone search: the full international
// digits, "00" + those (the European international prefix), the national
// significant number, and the national form with its trunk prefix where the
// region uses one (0 in FR/UK/DE/ES...). Order: most likely first.
func PhoneQueryDigits(e164 string) ([]string, error) {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil || !strings.HasPrefix(strings.TrimSpace(e164), "+") {
		return nil, fmt.Errorf("%w: %q", ErrInvalidPhone, e164)
	}
	cc := strconv.Itoa(int(num.GetCountryCode()))
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	national := digits(phonenumbers.Format(num, phonenumbers.NATIONAL))
	var out []string
	seen := map[string]bool{}
	for _, v := range []string{cc + nsn, nsn, national, "00" + cc + nsn} {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out, nil
}

// maxPhoneQuery bounds the OR-query FindCustomersByPhone sends, in
// characters before URL encoding. Every variant of a valid number fits
// (about 360 at most); the bound is a guard, not a budget that bites.
const maxPhoneQuery = 512

// PhoneQueryVariants returns the distinct strings e164 may have been stored
// as, for Help Scout's phone search, which appears to match the text
// literally (undocumented; see docs/api-facts.md#help-scout-phone-search;
// Aircall's own Help Scout integration tries
// several formats for the same reason). Order, most likely first:
//
//   - E.164: "+16176105413"
//   - international, as libphonenumber formats it: "+1 617-610-5413"
//     (Aircall's own raw_digits format)
//   - national: "(617) 610-5413", "06 12 34 56 78"
//   - international without the country code: "617-610-5413", "1256 274690"
//   - the three above with dashes as spaces: "+1 617 610 5413", ...
//   - the digit strings of PhoneQueryDigits
func PhoneQueryVariants(e164 string) ([]string, error) {
	ds, err := PhoneQueryDigits(e164)
	if err != nil {
		return nil, err
	}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrInvalidPhone, e164)
	}
	intl := phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
	national := phonenumbers.Format(num, phonenumbers.NATIONAL)
	local := strings.TrimPrefix(intl, "+"+strconv.Itoa(int(num.GetCountryCode()))+" ")
	if local == intl {
		local = ""
	}
	spaced := strings.NewReplacer("-", " ")
	formatted := []string{
		phonenumbers.Format(num, phonenumbers.E164), intl, national, local,
		spaced.Replace(intl), spaced.Replace(national), spaced.Replace(local),
	}
	var out []string
	seen := map[string]bool{}
	for _, v := range append(formatted, ds...) {
		v = strings.TrimSpace(v)
		if v != "" && !seen[v] && !strings.ContainsAny(v, `"\`) {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out, nil
}

// phoneQuery builds the one OR-query over variants, in order, dropping the
// least likely ones that would take it past maxPhoneQuery.
func phoneQuery(variants []string) string {
	var b strings.Builder
	b.WriteString("(")
	for _, v := range variants {
		term := `phone:"` + v + `"`
		if b.Len() > 1 {
			term = " OR " + term
		}
		if b.Len()+len(term)+1 > maxPhoneQuery {
			break
		}
		b.WriteString(term)
	}
	b.WriteString(")")
	return b.String()
}

// SamePhone reports whether stored (any format) is the same number as e164.
// Stored numbers without a country code are read in e164's region, which is
// how a human in that country would have typed them.
func SamePhone(stored, e164 string) bool {
	want, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return false
	}
	region := phonenumbers.GetRegionCodeForNumber(want)
	s := strings.TrimSpace(stored)
	if strings.HasPrefix(s, "00") {
		s = "+" + strings.TrimPrefix(digits(s), "00")
	}
	got, err := phonenumbers.Parse(s, region)
	if err != nil {
		return false
	}
	return phonenumbers.Format(got, phonenumbers.E164) == phonenumbers.Format(want, phonenumbers.E164)
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
