package privacycenter_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
)

func TestEveryFormNeedsItsCSRFToken(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) { pc.Verification.Method = config.VerifyCode })
	page, m := h.submit("access", form("email", "ada@example.com"))
	tok := h.token("/privacy/request/access")
	tests := []struct {
		name   string
		client *http.Client
		token  string
		header map[string]string
		action string
		form   map[string]string
	}{
		{"form without token", h.client, "", nil, "/privacy/request/access", map[string]string{"email": "b@example.com"}},
		{"wrong token", h.client, tok + "x", nil, "/privacy/request/access", map[string]string{"email": "b@example.com"}},
		{"no session cookie", newClient(t), tok, nil, "/privacy/request/access", map[string]string{"email": "b@example.com"}},
		{"cross-site post", h.client, tok, map[string]string{"Sec-Fetch-Site": "cross-site"}, "/privacy/request/access", map[string]string{"email": "b@example.com"}},
		{"verification without token", h.client, "", nil, page, map[string]string{"code": code(t, m)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := form("csrf_token", tt.token)
			for k, v := range tt.form {
				f.Set(k, v)
			}
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+tt.action, strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			res, err := tt.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", res.StatusCode)
			}
		})
	}
	select {
	case m := <-h.mails:
		t.Errorf("a refused form sent an email to %v", m.To)
	case <-time.After(200 * time.Millisecond):
	}
	// The refused verification consumed nothing: the code still works.
	wantStatus(t, "verify after refusals", h.post(page, page, form("code", code(t, m))), http.StatusOK, "Thank you")
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	h := newHarness(t, nil)
	for _, path := range []string{"/privacy/", "/privacy/request/access", "/privacy/nope", "/privacy/status/forged"} {
		r := h.get(path)
		for k, want := range map[string]string{"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
			if got := r.header.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", path, k, got, want)
			}
		}
		csp := r.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
}

func TestBodyOverTheLimitIsRefused(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.token("/privacy/request/access")
	big := form("email", "ada@example.com", "details", strings.Repeat("x", 100<<10))
	r := h.postToken(tok, "/privacy/request/access", big)
	wantStatus(t, "large form", r, http.StatusRequestEntityTooLarge, "larger than we accept")

	// Without a Content-Length the reader stops at the limit all the same.
	big.Set("csrf_token", tok)
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/privacy/request/access", bytes.NewReader([]byte(big.Encode())))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode < 400 {
		t.Errorf("chunked large form: status %d", res.StatusCode)
	}
}

func TestRateLimits(t *testing.T) {
	t.Run("submissions per IP address", func(t *testing.T) {
		h := newHarness(t, func(pc *config.PrivacyCenter) { pc.Limits.SubmissionsPerIP = 2 })
		h.submit("access", form("email", "a1@example.com"))
		h.submit("access", form("email", "a2@example.com"))
		r := h.post("/privacy/request/access", "/privacy/request/access", form("email", "a3@example.com"))
		wantStatus(t, "third submission", r, http.StatusTooManyRequests, "Too many requests")
		if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("Retry-After %q", ra)
		}
		// The window passes (the limiter's clock) and it works again.
		h.clock.Advance(time.Hour)
		h.submit("access", form("email", "a3@example.com"))
	})
	t.Run("submissions per email address", func(t *testing.T) {
		h := newHarness(t, func(pc *config.PrivacyCenter) { pc.Limits.SubmissionsPerEmail = 1 })
		h.submit("access", form("email", "ada@example.com"))
		r := h.post("/privacy/request/deletion", "/privacy/request/deletion", form("email", "ADA@example.com"))
		wantStatus(t, "same address again", r, http.StatusTooManyRequests, "Too many requests")
		h.submit("access", form("email", "bob@example.com"))
	})
	t.Run("verifications per IP address", func(t *testing.T) {
		h := newHarness(t, func(pc *config.PrivacyCenter) {
			pc.Verification.Method = config.VerifyCode
			pc.Limits.VerificationsPerIP = 2
		})
		page, m := h.submit("access", form("email", "ada@example.com"))
		for range 2 {
			h.post(page, page, form("code", "abcdef"))
		}
		wantStatus(t, "third try", h.post(page, page, form("code", code(t, m))), http.StatusTooManyRequests, "Too many requests")
	})
	t.Run("shared by daemons", func(t *testing.T) {
		h := newHarness(t, func(pc *config.PrivacyCenter) { pc.Limits.SubmissionsPerIP = 1 })
		h.submit("access", form("email", "a1@example.com"))
		other := h.newCenter(h.rdb) // a second daemon on the same Redis
		h.srv.Config.Handler = other.Handler()
		r := h.post("/privacy/request/access", "/privacy/request/access", form("email", "a2@example.com"))
		wantStatus(t, "second daemon", r, http.StatusTooManyRequests, "Too many requests")
	})
}

// TestUnverifiedSubmissionLeavesNothing: what a subject typed is stored
// only sealed, and after the verification TTL no key holds anything of it.
func TestUnverifiedSubmissionLeavesNothing(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) {
		pc.Verification.Method = config.VerifyCode
		pc.Verification.TTL.Duration = 2 * time.Second
		pc.Limits.Window.Duration = 2 * time.Second
	})
	personal := []string{"grace@example.org", "+44 7700 900123", "C-99177", "my-secret-details-8812"}
	page, m := h.submit("access", form("email", personal[0], "id_phone", personal[1], "id_customer_number", personal[2], "details", personal[3]))
	h.post(page, page, form("code", "abcdef")) // a wrong try leaves its counter
	id := strings.TrimPrefix(page, "/privacy/verify/")
	before := testredis.Dump(t, h.rdb)
	if !bytes.Contains(before, []byte(id)) {
		t.Fatalf("the dump does not hold the pending submission %s:\n%s", id, before)
	}
	for _, p := range append(personal, strings.ToLower(personal[0])) {
		if bytes.Contains(before, []byte(p)) {
			t.Errorf("Redis holds %q in plaintext while pending", p)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		after := testredis.Dump(t, h.rdb)
		if !bytes.Contains(after, []byte(id)) && !bytes.Contains(after, []byte(":privacy:limit:")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the TTL Redis still holds the submission:\n%s", after)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if n, err := h.rdb.DBSize(ctx()).Result(); err != nil || n != 0 {
		keys, _ := h.rdb.Keys(ctx(), "*").Result()
		t.Errorf("%d keys remain (%v): %q", n, err, keys)
	}
	wantStatus(t, "code after the TTL", h.postToken(h.token("/privacy/request/access"), page, form("code", code(t, m))), http.StatusGone, "expired")
}
