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
