package sidebar

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SignatureParam is the query parameter carrying Help Scout's signature.
const SignatureParam = "X-HelpScout-Signature"

// param is one query parameter, in the order it came.
type param struct{ key, value string }

// errUnsigned is every reason a request does not verify. The handler answers
// them all alike (401, nothing else), so a caller learns nothing from which.
var errUnsigned = errors.New("sidebar: signature does not verify")

// verify checks a sidebar request's raw query against the app's secret, the
// way Help Scout's App Developer Platform signs it: X-HelpScout-Signature is
// base64(HMAC-SHA1(secret, J)) where J is the JSON object of every other
// query parameter, in the order they came, values as strings. Help Scout's
// reference verifier builds J with PHP's json_encode, which writes "/" as
// "\/" and non-ASCII as \uXXXX; a JavaScript or Go signer writes both raw.
// Every combination is tried, each compared in constant time. A "+" of the
// base64 signature may arrive unescaped and so decoded as a space; it is put
// back. It returns the parameters (signature removed) when one verifies.
//
// A parameter given twice fails: the signer's JSON object cannot hold both,
// and which one it kept is not documented.
func verify(secret []byte, rawQuery string) ([]param, error) {
	params, err := parseQuery(rawQuery)
	if err != nil {
		return nil, errUnsigned
	}
	var sig string
	found := false
	rest := params[:0:0]
	seen := make(map[string]bool, len(params))
	for _, p := range params {
		if seen[p.key] {
			return nil, errUnsigned
		}
		seen[p.key] = true
		if p.key == SignatureParam {
			sig, found = p.value, true
			continue
		}
		rest = append(rest, p)
	}
	if !found || sig == "" {
		return nil, errUnsigned
	}
	got, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.TrimSpace(sig), " ", "+"))
	if err != nil || len(got) != sha1.Size {
		return nil, errUnsigned
	}
	ok := 0
	for _, payload := range signedPayloads(rest) {
		m := hmac.New(sha1.New, secret)
		m.Write(payload)
		ok |= boolInt(hmac.Equal(m.Sum(nil), got))
	}
	if ok == 0 {
		return nil, errUnsigned
	}
	return rest, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// parseQuery splits a raw query into its parameters in order, decoding each
// key and value as a form value ("+" is a space, as PHP's $_GET does).
func parseQuery(raw string) ([]param, error) {
	var out []param
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("query key %q: %w", k, err)
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("query value of %q: %w", key, err)
		}
		out = append(out, param{key, value})
	}
	return out, nil
}

// signedPayloads is the JSON of ps in each escaping a signer may have used,
// without duplicates.
func signedPayloads(ps []param) [][]byte {
	var out [][]byte
	for _, slash := range []bool{true, false} {
		for _, ascii := range []bool{true, false} {
			j := jsonObject(ps, slash, ascii)
			dup := false
			for _, o := range out {
				dup = dup || string(o) == string(j)
			}
			if !dup {
				out = append(out, j)
			}
		}
	}
	return out
}

// jsonObject writes ps as a JSON object of strings, keys in order, with no
// whitespace. escapeSlash writes "/" as "\/"; asciiOnly writes non-ASCII as
// \uXXXX (UTF-16, lower-case hex), both as PHP's json_encode does by default.
// Neither PHP nor JavaScript escapes <, > or & by default, so neither does
// this (unlike encoding/json).
func jsonObject(ps []param, escapeSlash, asciiOnly bool) []byte {
	b := []byte{'{'}
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonString(b, p.key, escapeSlash, asciiOnly)
		b = append(b, ':')
		b = jsonString(b, p.value, escapeSlash, asciiOnly)
	}
	return append(b, '}')
}

func jsonString(b []byte, s string, escapeSlash, asciiOnly bool) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, `\"`...)
		case r == '\\':
			b = append(b, `\\`...)
		case r == '/' && escapeSlash:
			b = append(b, `\/`...)
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r < 0x20:
			b = appendU(b, r)
		case r >= utf8.RuneSelf && asciiOnly:
			if r > 0xFFFF { // surrogate pair, as UTF-16
				r -= 0x10000
				b = appendU(b, 0xD800+(r>>10))
				b = appendU(b, 0xDC00+(r&0x3FF))
			} else {
				b = appendU(b, r)
			}
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

func appendU(b []byte, r rune) []byte {
	h := strconv.FormatInt(int64(r), 16)
	return append(append(b, `\u`+strings.Repeat("0", 4-len(h))...), h...)
}
