package helpscout

import (
	"strings"
	"testing"

	"github.com/matryer/is"
)

// TestPhoneQueryBound: the OR-query keeps the most likely variants in order
// and drops whole terms that would take it past maxPhoneQuery.
func TestPhoneQueryBound(t *testing.T) {
	long := strings.Repeat("9", 100)
	tests := []struct {
		name     string
		variants []string
		want     string
	}{
		{"one", []string{"+1"}, `(phone:"+1")`},
		{"several", []string{"+1", "1"}, `(phone:"+1" OR phone:"1")`},
		{"over the bound", []string{"+1", long, long + "1", long + "2", long + "3", long + "4"},
			`(phone:"+1" OR phone:"` + long + `" OR phone:"` + long + "1" + `" OR phone:"` + long + "2" + `" OR phone:"` + long + "3" + `")`}, // 464 chars; one more term would be 577
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := is.New(t)
			got := phoneQuery(tt.variants)
			is.Equal(got, tt.want)
			is.True(len(got) <= maxPhoneQuery)
		})
	}
}
