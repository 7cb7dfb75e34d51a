package sidebar

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/matryer/is"
)

// The vectors below are computed outside the verifier: the JSON is written out
// by hand from Help Scout's documented algorithm (parameters in request
// order, string values, PHP json_encode escaping or none) and the signatures
// are either openssl's output pasted as literals:
//
//	printf '%s' '<json>' | openssl dgst -sha1 -hmac 's3cr3t-key' -binary | base64
//
// or computed in the test with crypto/hmac directly.
const testSecret = "s3cr3t-key"

const (
	// {"conversation-id":"123","conversation-number":"45","customer-id":"678","mailbox-id":"9",
	//  "user-id":"10","installation-ids":"1,2","application-id":"77","application-slug":"aircall-history"}
	sigContext = "G9lzHFmkt/tt6yBNHLwmKq+ktXw=" // has both "/" and "+"
	// {"customer-id":"678","note":"Zo\u00eb\/Paris \ud83d\ude00"} (PHP's default escaping)
	sigPHPEscaped = "weza4m/iHLrGWxXDds2IEHkaqZQ="
	// {"customer-id":"678","note":"Zoë/Paris 😀"} (no escaping, as JavaScript writes it)
	sigRaw = "hbv2vbYpFn6vI8t+noM5HdKkeY4="
)

// contextQuery is the parameters Help Scout sends, in its order, without the
// signature.
const contextQuery = "conversation-id=123&conversation-number=45&customer-id=678&mailbox-id=9&user-id=10" +
	"&installation-ids=1%2C2&application-id=77&application-slug=aircall-history"

func hmacB64(secret, msg string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	noteQ := "customer-id=678&note=" + url.QueryEscape("Zoë/Paris 😀")
	// Quotes, backslash, a control character and HTML characters, JSON by hand.
	oddJSON := `{"customer-id":"1","x":"a\"b\\c\n<&>\u0001"}`
	oddQ := "customer-id=1&x=" + url.QueryEscape("a\"b\\c\n<&>\x01")
	oddSig := hmacB64(testSecret, oddJSON)
	// A value with a "/" that only a signer not escaping it would produce.
	slashSig := hmacB64(testSecret, `{"customer-id":"2","path":"a/b"}`)
	slashPHPSig := hmacB64(testSecret, `{"customer-id":"2","path":"a\/b"}`)
	slashQ := "customer-id=2&path=a%2Fb"

	cases := []struct {
		name  string
		query string
		ok    bool
	}{
		{"signature last, escaped", contextQuery + "&X-HelpScout-Signature=" + url.QueryEscape(sigContext), true},
		{"signature first", "X-HelpScout-Signature=" + url.QueryEscape(sigContext) + "&" + contextQuery, true},
		{"plus left raw, decoded as a space", contextQuery + "&X-HelpScout-Signature=" + strings.ReplaceAll(sigContext, "+", " "), true},
		{"plus unescaped in the URL", contextQuery + "&X-HelpScout-Signature=" + sigContext, true},
		{"slash escaped as %2F", contextQuery + "&X-HelpScout-Signature=" + strings.ReplaceAll(url.QueryEscape(sigContext), "/", "%2F"), true},
		{"PHP escaping of / and non-ASCII", noteQ + "&X-HelpScout-Signature=" + url.QueryEscape(sigPHPEscaped), true},
		{"no escaping", noteQ + "&X-HelpScout-Signature=" + url.QueryEscape(sigRaw), true},
		{"special characters", oddQ + "&X-HelpScout-Signature=" + url.QueryEscape(oddSig), true},
		{"slash raw", slashQ + "&X-HelpScout-Signature=" + url.QueryEscape(slashSig), true},
		{"slash PHP", slashQ + "&X-HelpScout-Signature=" + url.QueryEscape(slashPHPSig), true},

		{"no signature", contextQuery, false},
		{"empty signature", contextQuery + "&X-HelpScout-Signature=", false},
		{"empty query", "", false},
		{"other customer", strings.Replace(contextQuery, "customer-id=678", "customer-id=679", 1) + "&X-HelpScout-Signature=" + url.QueryEscape(sigContext), false},
		{"parameters reordered", "customer-id=678&conversation-id=123&conversation-number=45&mailbox-id=9&user-id=10" +
			"&installation-ids=1%2C2&application-id=77&application-slug=aircall-history&X-HelpScout-Signature=" + url.QueryEscape(sigContext), false},
		{"parameter added", contextQuery + "&extra=1&X-HelpScout-Signature=" + url.QueryEscape(sigContext), false},
		{"parameter removed", strings.TrimSuffix(contextQuery, "&application-slug=aircall-history") + "&X-HelpScout-Signature=" + url.QueryEscape(sigContext), false},
		{"parameter repeated", contextQuery + "&customer-id=678&X-HelpScout-Signature=" + url.QueryEscape(sigContext), false},
		{"signature repeated", contextQuery + "&X-HelpScout-Signature=" + url.QueryEscape(sigContext) + "&X-HelpScout-Signature=" + url.QueryEscape(sigContext), false},
		{"signature of other secret", contextQuery + "&X-HelpScout-Signature=" + url.QueryEscape(hmacB64("other", `{"conversation-id":"123"}`)), false},
		{"truncated signature", contextQuery + "&X-HelpScout-Signature=" + url.QueryEscape(sigContext[:20]), false},
		{"not base64", contextQuery + "&X-HelpScout-Signature=%%%", false},
		{"hex signature", contextQuery + "&X-HelpScout-Signature=1bd9731c59a4b7fb6deb204d1cbc262aafa4b57c", false},
		{"lower-case parameter name", contextQuery + "&x-helpscout-signature=" + url.QueryEscape(sigContext), false},
		{"bad escape", contextQuery + "&bad=%zz&X-HelpScout-Signature=" + url.QueryEscape(sigContext), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			is := is.New(t)
			ps, err := verify([]byte(testSecret), c.query)
			is.Equal(err == nil, c.ok)
			if c.ok {
				for _, p := range ps {
					is.True(p.key != SignatureParam) // removed from what the page reads
				}
			}
		})
	}
}

func TestVerifyReturnsParamsInOrder(t *testing.T) {
	is := is.New(t)
	ps, err := verify([]byte(testSecret), contextQuery+"&X-HelpScout-Signature="+url.QueryEscape(sigContext))
	is.NoErr(err)
	is.Equal(len(ps), 8)
	is.Equal(ps[2], param{"customer-id", "678"})
	is.Equal(ps[5], param{"installation-ids", "1,2"})
}

func TestJSONObjectEscapings(t *testing.T) {
	ps := []param{{"k/", "é/😀\"\\\t"}}
	cases := []struct {
		slash, ascii bool
		want         string
	}{
		{true, true, `{"k\/":"\u00e9\/\ud83d\ude00\"\\\t"}`},
		{false, true, `{"k/":"\u00e9/\ud83d\ude00\"\\\t"}`},
		{true, false, `{"k\/":"é\/😀\"\\\t"}`},
		{false, false, `{"k/":"é/😀\"\\\t"}`},
	}
	for _, c := range cases {
		is := is.New(t)
		is.Equal(string(jsonObject(ps, c.slash, c.ascii)), c.want)
	}
}
