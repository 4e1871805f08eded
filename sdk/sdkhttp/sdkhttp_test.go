package sdkhttp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

func TestStatusError(t *testing.T) {
	now := time.Now()
	tests := []struct {
		status     int
		retryAfter string
		want       sdk.ErrorType
		retryable  bool
		wait       func(time.Duration) bool
	}{
		{status: 401, want: sdk.ErrorAuth},
		{status: 403, want: sdk.ErrorPermission},
		{status: 404, want: sdk.ErrorNotFound},
		{status: 410, want: sdk.ErrorNotFound},
		{status: 408, want: sdk.ErrorTimeout, retryable: true},
		{status: 504, want: sdk.ErrorTimeout, retryable: true},
		{status: 429, retryAfter: "7", want: sdk.ErrorRateLimited, retryable: true, wait: func(d time.Duration) bool { return d == 7*time.Second }},
		{status: 429, retryAfter: now.Add(time.Hour).UTC().Format(http.TimeFormat), want: sdk.ErrorRateLimited, retryable: true,
			wait: func(d time.Duration) bool { return d > 58*time.Minute && d <= time.Hour }},
		{status: 429, want: sdk.ErrorRateLimited, retryable: true, wait: func(d time.Duration) bool { return d == 0 }},
		{status: 429, retryAfter: "soon", want: sdk.ErrorRateLimited, retryable: true, wait: func(d time.Duration) bool { return d == 0 }},
		{status: 503, retryAfter: "30", want: sdk.ErrorUnavailable, retryable: true, wait: func(d time.Duration) bool { return d == 30*time.Second }},
		{status: 500, want: sdk.ErrorUnavailable, retryable: true},
		{status: 400, want: sdk.ErrorInternal},
		{status: 422, want: sdk.ErrorInternal},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.retryAfter != "" {
			h.Set("Retry-After", tt.retryAfter)
		}
		e := StatusError("Acme contacts", tt.status, h, Remediations{sdk.ErrorAuth: "Regenerate the Acme key."})
		if e.Type != tt.want || e.StatusCode != tt.status || e.Retryable != tt.retryable {
			t.Errorf("%d: got %s status %d retryable %v, want %s retryable %v", tt.status, e.Type, e.StatusCode, e.Retryable, tt.want, tt.retryable)
		}
		if !strings.Contains(e.Message, "Acme contacts") || e.Remediation == "" {
			t.Errorf("%d: message %q remediation %q", tt.status, e.Message, e.Remediation)
		}
		if tt.wait != nil && !tt.wait(e.RetryAfter) {
			t.Errorf("%d Retry-After %q: wait %v", tt.status, tt.retryAfter, e.RetryAfter)
		}
	}
	if e := StatusError("Acme", 401, nil, Remediations{sdk.ErrorAuth: "Regenerate the Acme key."}); e.Remediation != "Regenerate the Acme key." {
		t.Errorf("remediation override ignored: %q", e.Remediation)
	}
}

func TestClientDo(t *testing.T) {
	const email = "ada@example.com"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer good" {
			http.Error(w, `{"error":"bad token for `+email+`"}`, http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/v1/contacts":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"results":[{"id":7,"email":"` + r.URL.Query().Get("email") + `"}]}`))
		case "/v1/html":
			_, _ = w.Write([]byte(`<html>login</html>`))
		case "/v1/busy":
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	c := &Client{BaseURL: srv.URL + "/v1/", Service: "Acme", Header: Bearer("good")}

	var page struct{ Results []map[string]any }
	if err := c.Do(ctx, "GET", "/contacts?email="+email, nil, &page); err != nil || len(page.Results) != 1 {
		t.Fatalf("Do = %v, %+v", err, page)
	}
	for path, want := range map[string]sdk.ErrorType{"/html": sdk.ErrorInternal, "/busy": sdk.ErrorRateLimited, "/gone": sdk.ErrorNotFound} {
		err := c.Do(ctx, "GET", path, nil, &page)
		var e *sdk.Error
		if !errors.As(err, &e) || e.Type != want {
			t.Errorf("GET %s = %v, want %s", path, err, want)
		}
	}
	if err := c.Do(ctx, "DELETE", "/gone", nil, nil); !IsNotFound(err) {
		t.Errorf("DELETE of a missing record = %v, want not found", err)
	}

	bad := &Client{BaseURL: srv.URL + "/v1", Service: "Acme", Header: Bearer("revoked")}
	err := bad.Do(ctx, "GET", "/contacts?email="+email, nil, nil)
	var e *sdk.Error
	if !errors.As(err, &e) || e.Type != sdk.ErrorAuth || e.StatusCode != 401 {
		t.Fatalf("refused token = %v, want auth 401", err)
	}
	if strings.Contains(e.Message+e.Remediation, email) || strings.Contains(e.Message, srv.URL) {
		t.Errorf("error quotes the subject or the URL: %q", e.Message)
	}

	srv.Close()
	err = c.Do(ctx, "GET", "/contacts?email="+email, nil, nil)
	if !errors.As(err, &e) || e.Type != sdk.ErrorUnavailable || strings.Contains(e.Message, email) {
		t.Errorf("unreachable API = %v, want unavailable without the URL", err)
	}
	ctx, cancel := context.WithTimeout(ctx, -time.Second)
	defer cancel()
	if err := c.Do(ctx, "GET", "/contacts", nil, nil); !errors.As(err, &e) || e.Type != sdk.ErrorTimeout {
		t.Errorf("expired context = %v, want timeout", err)
	}
}
