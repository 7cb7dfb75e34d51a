package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"
)

// sidebarQuery signs query parameters as Help Scout's app platform does:
// base64 HMAC-SHA1 over the JSON object of the parameters in request order.
func sidebarQuery(secret string, kv ...string) string {
	var js strings.Builder
	var q []string
	js.WriteString("{")
	for i := 0; i < len(kv); i += 2 {
		k, _ := json.Marshal(kv[i])
		v, _ := json.Marshal(kv[i+1])
		if i > 0 {
			js.WriteString(",")
		}
		fmt.Fprintf(&js, "%s:%s", k, v)
		q = append(q, url.QueryEscape(kv[i])+"="+url.QueryEscape(kv[i+1]))
	}
	js.WriteString("}")
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(js.String()))
	return strings.Join(q, "&") + "&X-HelpScout-Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

func getAuth(t *testing.T, u, user, pass string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestServeMountsStatusAndSidebar: the status pages and the Help Scout
// sidebar are on serve's listener only when their secrets are set; the
// status pages ask for the password, the sidebar for a valid signature, and
// both show what the passes logged.
func TestServeMountsStatusAndSidebar(t *testing.T) {
	t.Run("unset", func(t *testing.T) {
		is := is.New(t)
		f := newFakes(t)
		base, stop := startServe(t, with(f.vars, "LISTEN_ADDR", "127.0.0.1:0"))
		defer stop()
		code, _ := get(t, base+"/status")
		is.Equal(code, http.StatusNotFound)
		code, _ = get(t, base+"/helpscout/sidebar?"+sidebarQuery("sb-secret", "customer-id", "1"))
		is.Equal(code, http.StatusNotFound)
	})
	t.Run("set", func(t *testing.T) {
		is := is.New(t)
		f := newFakes(t)
		cust := f.Customer("Marta", "Ruiz", 100*time.Hour, "+34612345678")
		f.AddCall(1, "+34 612 34 56 78", 30*time.Minute)
		vars := with(f.vars, "LISTEN_ADDR", "127.0.0.1:0", "STATUS_PASSWORD", "st-pass-9", "HELPSCOUT_SIDEBAR_SECRET", "sb-secret")
		base, stop := startServe(t, vars)
		defer func() {
			r := stop()
			assertNoSecretsIn(t, r.stderr)
			is.True(!strings.Contains(r.stderr, "st-pass-9") && !strings.Contains(r.stderr, "sb-secret"))
		}()

		code, hdr, _ := getAuth(t, base+"/status", "", "")
		is.Equal(code, http.StatusUnauthorized)
		is.True(strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Basic "))
		code, _, _ = getAuth(t, base+"/status", "admin", "wrong")
		is.Equal(code, http.StatusUnauthorized)

		sb := base + "/helpscout/sidebar?" + sidebarQuery("sb-secret", "customer-id", fmt.Sprint(cust), "mailbox-id", "1")
		var body string
		waitFor(t, "the start-up pass to log call 1", func() bool {
			code, body = get(t, sb)
			return code == http.StatusOK && strings.Contains(body, "Inbound call")
		})
		for _, want := range []string{"<span>Answered</span>", "<span>2 min 05 s</span>", "Agent: Ana García",
			`<a class="tel" href="tel:&#43;34612345678">&#43;34612345678</a>`} { // the phone on the customer, from the mirror
			is.True(strings.Contains(body, want)) // the pass's facts reach the sidebar
		}
		code, _ = get(t, base+"/helpscout/sidebar?"+sidebarQuery("other-secret", "customer-id", fmt.Sprint(cust)))
		is.Equal(code, http.StatusUnauthorized)

		// The pass's budget use and the mirrors it filled reach the
		// overview once the pass has ended.
		waitFor(t, "the overview to show the API budget", func() bool {
			code, _, body = getAuth(t, base+"/status", "admin", "st-pass-9")
			return code == http.StatusOK && strings.Contains(body, "<h2>API budget</h2>")
		})
		is.True(strings.Contains(body, "default"))
		is.True(strings.Contains(body, "<td>Aircall</td>"))
		is.True(strings.Contains(body, "<td>Help Scout</td>"))
		is.True(strings.Contains(body, "<h2>Help Scout mirrors</h2>"))
		is.True(strings.Contains(body, "<td>customers</td><td>all</td>"))
		is.True(strings.Contains(body, "<td>conversations</td><td>default</td>"))
		code, _, body = getAuth(t, base+"/status/item/default/call/1", "admin", "st-pass-9")
		is.Equal(code, http.StatusOK)
		is.True(strings.Contains(body, "one_match") || strings.Contains(body, "the only Help Scout customer with this number"))
	})
}
