package websecure

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestCSPAllowsOnlyHashedStyles(t *testing.T) {
	csp := CSP("body{color:red}")
	for _, want := range []string{"default-src 'none'", "style-src 'sha256-", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "script-src", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("CSP %q holds %q", csp, bad)
		}
	}
}

func TestHeaders(t *testing.T) {
	h := Headers("default-src 'none'", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for k, v := range map[string]string{
		"Content-Security-Policy": "default-src 'none'",
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
	} {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestCSRF(t *testing.T) {
	c := CSRF{Key: []byte("k"), Session: func(r *http.Request) string {
		if ck, err := r.Cookie("s"); err == nil {
			return ck.Value
		}
		return ""
	}}
	ok := c.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	post := func(token string, header map[string]string, session string) int {
		form := url.Values{FormField: {token}}
		req := httptest.NewRequest("POST", "http://site.test/x", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		if session != "" {
			req.AddCookie(&http.Cookie{Name: "s", Value: session})
		}
		rec := httptest.NewRecorder()
		ok.ServeHTTP(rec, req)
		return rec.Code
	}
	tests := []struct {
		name    string
		token   string
		header  map[string]string
		session string
		want    int
	}{
		{"right token", c.Token("abc"), nil, "abc", 204},
		{"no token", "", nil, "abc", 403},
		{"other session's token", c.Token("xyz"), nil, "abc", 403},
		{"cross-site fetch", c.Token("abc"), map[string]string{"Sec-Fetch-Site": "cross-site"}, "abc", 403},
		{"foreign origin", c.Token("abc"), map[string]string{"Origin": "https://evil.test"}, "abc", 403},
		{"same origin", c.Token("abc"), map[string]string{"Sec-Fetch-Site": "same-origin"}, "abc", 204},
		{"no session, sign-in form", "", nil, "", 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post(tt.token, tt.header, tt.session); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
}
