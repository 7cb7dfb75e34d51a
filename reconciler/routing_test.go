package reconciler

import (
	"testing"

	"github.com/matryer/is"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
)

// TestRouteUnknownNumbers: a configured number is reported unknown only when
// Aircall's list was actually read. An empty list (account with no numbers)
// makes every entry unknown; a nil list (could not list) makes none.
func TestRouteUnknownNumbers(t *testing.T) {
	inst := []Instance{{Name: "support", NumberIDs: []int64{42}, NumberE164s: []string{"+19843140278"}}}
	line := aircall.Number{ID: 42, Digits: "+1 984-314-0278", Country: "US"}
	tests := []struct {
		name    string
		numbers []aircall.Number
		unknown int
	}{
		{"could not list", nil, 0},
		{"account has no numbers", []aircall.Number{}, 2},
		{"both found", []aircall.Number{line}, 0},
		{"other line only", []aircall.Number{{ID: 7, Digits: "+1 555-010-0000", Country: "US"}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			rt := Route(inst, tt.numbers)
			is.Equal(len(rt.Unknown), tt.unknown) // unknown entries
			name, overlap := rt.InstanceFor(&line)
			is.Equal(name, "support")
			is.True(!overlap)
		})
	}
}
