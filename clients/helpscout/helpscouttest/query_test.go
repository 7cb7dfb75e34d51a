package helpscouttest

import (
	"testing"

	"github.com/matryer/is"
)

func TestParseQuery(t *testing.T) {
	stored := map[string]string{"phone": "(617) 610-5413", "email": "a@b.test", "customerIds": "42"}
	pred := func(f, v string) bool {
		if f == "phone" {
			return digitsOf(v) == digitsOf(stored["phone"])
		}
		return stored[f] == v
	}
	tests := []struct {
		q       string
		want    bool
		wantErr bool
	}{
		{`(phone:"6176105413")`, true, false},
		{`(phone:"+16176105413")`, false, false},
		{`(phone:"16176105413" OR phone:"6176105413" OR phone:"06176105413")`, true, false},
		{`phone:("1" OR "6176105413")`, true, false},
		{`(customerIds:42)`, true, false},
		{`(customerIds:42) AND (email:"a@b.test")`, true, false},
		{`(customerIds:42) AND (email:"x@b.test")`, false, false},
		{`(customerIds:42) AND NOT email:"a@b.test"`, false, false},
		{`customerIds:42 email:"a@b.test"`, true, false}, // implicit AND
		{`(phone:"6176105413"`, false, true},
		{`(phone:)`, false, true},
		{`phone:"unterminated`, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			is := is.New(t)
			n, err := parseQuery(tt.q)
			if tt.wantErr {
				is.True(err != nil)
				return
			}
			is.NoErr(err)
			is.Equal(n.match(pred), tt.want)
		})
	}
}
