package rules

import (
	"testing"

	"github.com/matryer/is"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		raw, region string
		want        string
		ok          bool
	}{
		{"+1 617-610-5413", "", "+16176105413", true},
		{"(617) 610-5413", "US", "+16176105413", true},
		{"6176105413", "US", "+16176105413", true},
		{"+34 612 34 56 78", "", "+34612345678", true},
		{"+34612345678", "FR", "+34612345678", true},
		{"612 34 56 78", "ES", "+34612345678", true},
		{"06 12 34 56 78", "FR", "+33612345678", true},
		{"0033 6 12 34 56 78", "FR", "+33612345678", true},
		{"1256 274690", "GB", "+441256274690", true},
		{"(617) 610-5413", "", "", false}, // no region, no country code
		{"anonymous", "US", "", false},
		{"Anonymous", "", "", false},
		{"", "US", "", false},
		{"12345", "US", "", false},
		{"not a number", "US", "", false},
		{"+1 617-610-5413", "us", "+16176105413", true},
	}
	for _, tt := range tests {
		t.Run(tt.raw+"/"+tt.region, func(t *testing.T) {
			is := is.New(t)
			got, ok := NormalizePhone(tt.raw, tt.region)
			is.Equal(ok, tt.ok)
			is.Equal(got, tt.want)
		})
	}
}

func TestFormatPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+34612345678", "+34 612 34 56 78"},
		{"+16176105413", "+1 617-610-5413"},
		{"garbage", "garbage"},
	}
	for _, tt := range tests {
		is := is.New(t)
		is.Equal(FormatPhone(tt.in), tt.want)
	}
}

func TestRegion(t *testing.T) {
	is := is.New(t)
	is.Equal(RegionOf("+34612345678"), "ES")
	is.Equal(RegionOf("+16176105413"), "US")
	is.True(ValidRegion("fr"))
	is.True(!ValidRegion("XX"))
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+1 617-610-5413", "(617) 610-5413", "anonymous", "", "+", "0033 6 12 34 56 78", "++++1111111"} {
		f.Add(s, "US")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		e164, ok := NormalizePhone(raw, region)
		if !ok {
			if e164 != "" {
				t.Fatalf("not ok but %q", e164)
			}
			return
		}
		// E.164 is a fixed point: normalising it again gives itself.
		again, ok2 := NormalizePhone(e164, "")
		if !ok2 || again != e164 {
			t.Fatalf("NormalizePhone(%q)=%q, again %q %v", raw, e164, again, ok2)
		}
	})
}
