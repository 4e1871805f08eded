package connector

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		status     int
		header     map[string]string
		wantType   sdk.ErrorType
		retryable  bool
		retryAfter time.Duration
	}{
		{401, nil, sdk.ErrorAuth, false, 0},
		{403, nil, sdk.ErrorPermission, false, 0},
		{404, nil, sdk.ErrorNotFound, false, 0},
		{400, nil, sdk.ErrorInvalidConfig, false, 0},
		{422, nil, sdk.ErrorInvalidConfig, false, 0},
		{500, nil, sdk.ErrorUnavailable, true, 0},
		{502, nil, sdk.ErrorUnavailable, true, 0},
		{503, map[string]string{"Retry-After": "120"}, sdk.ErrorUnavailable, true, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(`{"error": "for ada@example.com"}`))
			})
			base := startServer(t, mux).URL
			c := New()
			configure(t, c, "e", map[string]any{"base_url": base,
				"access": map[string]any{"path": "/users/{{ .email }}", "records_path": "$"}})
			_, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("e", "k", "ada@example.com")})
			e := asError(t, err)
			if e.Type != tt.wantType || e.StatusCode != tt.status || e.Retryable != tt.retryable || e.RetryAfter != tt.retryAfter {
				t.Errorf("error = %+v, want %s %d retryable=%v after %v", e, tt.wantType, tt.status, tt.retryable, tt.retryAfter)
			}
			if !strings.Contains(e.Remediation, "GET /users/{{ .email }}") {
				t.Errorf("remediation %q does not name the endpoint", e.Remediation)
			}
			assertNoPersonalData(t, e, "ada@example.com", "ada%40example.com")
		})
	}
}

func TestNotFoundSettings(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	base := startServer(t, mux).URL
	c := New()
	configure(t, c, "nf", map[string]any{"base_url": base,
		"access":   map[string]any{"path": "/users/{{ .email }}", "records_path": "$", "not_found_is_empty": true},
		"deletion": map[string]any{"mode": "per_record", "path": "/users/{{ .record_id }}", "not_found_is_deleted": true},
	})
	ctx := context.Background()
	resp, err := c.Access(ctx, &sdk.AccessRequest{Job: job("nf", "k", "ada@example.com")})
	if err != nil || len(resp.Records) != 0 || resp.Pending != nil {
		t.Errorf("Access = %+v, %v; want no records", resp, err)
	}
	del, err := c.Delete(ctx, &sdk.DeleteRequest{Job: job("nf", "k", "ada@example.com"),
		Records: []sdk.Record{{ID: "1", Data: []byte(`{"id": 1}`)}, {ID: "2", Data: []byte(`{"id": 2}`)}}})
	if err != nil || del.RecordsDeleted != 2 {
		t.Errorf("Delete = %+v, %v; want two records counted as deleted", del, err)
	}
}

func TestTransportErrors(t *testing.T) {
	c := New()
	configure(t, c, "down", map[string]any{"base_url": "http://127.0.0.1:1",
		"access": map[string]any{"path": "/users/{{ .email }}", "records_path": "$"}})
	_, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("down", "k", "ada@example.com")})
	e := asError(t, err)
	if e.Type != sdk.ErrorUnavailable || !e.Retryable || e.StatusCode != 0 {
		t.Errorf("error = %+v, want retryable unavailable", e)
	}
	assertNoPersonalData(t, e, "ada@example.com", "ada%40example.com")

	mux := http.NewServeMux()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	base := startServer(t, mux).URL
	configure(t, c, "slow", map[string]any{"base_url": base, "timeout": "50ms",
		"access": map[string]any{"path": "/users/{{ .email }}", "records_path": "$"}})
	_, err = c.Access(context.Background(), &sdk.AccessRequest{Job: job("slow", "k", "ada@example.com")})
	if e := asError(t, err); e.Type != sdk.ErrorTimeout {
		t.Errorf("error = %+v, want timeout", e)
	}
}

func TestNotJSON(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>login</html>")) })
	base := startServer(t, mux).URL
	c := New()
	configure(t, c, "html", map[string]any{"base_url": base,
		"access": map[string]any{"path": "/users", "records_path": "$"}})
	_, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("html", "k", "ada@example.com")})
	if e := asError(t, err); e.Type != sdk.ErrorInvalidConfig {
		t.Errorf("error = %+v, want invalid_config", e)
	}
}

func TestUnconfigured(t *testing.T) {
	ctx := context.Background()
	c := New()
	if _, err := c.Access(ctx, &sdk.AccessRequest{Job: job("none", "k", "a@example.com")}); asError(t, err).Type != sdk.ErrorInvalidConfig {
		t.Errorf("Access before Configure: %v", err)
	}
	configure(t, c, "del-only", map[string]any{"base_url": "https://api.example.com",
		"deletion": map[string]any{"mode": "whole_record", "path": "/erase"}})
	_, err := c.Access(ctx, &sdk.AccessRequest{Job: job("del-only", "k", "a@example.com")})
	if e := asError(t, err); e.Type != sdk.ErrorInvalidConfig || !strings.Contains(e.Message, "no access block") {
		t.Errorf("Access without an access block: %+v", e)
	}
	_, err = c.PollDelete(ctx, &sdk.PollRequest{Job: job("del-only", "k", "a@example.com"), Handle: "{}"})
	if e := asError(t, err); e.Type != sdk.ErrorInvalidConfig {
		t.Errorf("PollDelete without async: %+v", e)
	}
}

func TestRedirects(t *testing.T) {
	elsewhere := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "" {
			t.Error("the API key reached another origin")
		}
		_, _ = w.Write([]byte(`{"data": []}`))
	})).URL
	mux := http.NewServeMux()
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, elsewhere+"/x", http.StatusFound) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/here", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "k" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"data": [{"id": "r1"}]}`))
	})
	base := startServer(t, mux).URL
	c := New()
	for _, path := range []string{"/away", "/moved"} {
		configure(t, c, path, map[string]any{"base_url": base,
			"auth":   map[string]any{"header": map[string]any{"name": "X-Api-Key", "value": "k"}},
			"access": map[string]any{"path": path, "records_path": "$.data"}})
	}
	resp, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("/moved", "k", "a@example.com")})
	if err != nil || len(resp.Records) != 1 {
		t.Errorf("same-origin redirect: %+v, %v", resp, err)
	}
	_, err = c.Access(context.Background(), &sdk.AccessRequest{Job: job("/away", "k", "a@example.com")})
	if e := asError(t, err); e.Type != sdk.ErrorPermission {
		t.Errorf("cross-origin redirect: %+v, want permission", e)
	}
}

// TestRateLimitWaits: with one request an hour, a second job cannot send
// within its deadline and says so instead of hanging.
func TestRateLimitWaits(t *testing.T) {
	var calls atomic.Int32
	base := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte(`{"data": []}`))
	})).URL
	c := New()
	configure(t, c, "rl", map[string]any{"base_url": base, "rate_limit": map[string]any{"requests": 1, "per": "1h"},
		"access": map[string]any{"path": "/x", "records_path": "$.data"}})
	if _, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("rl", "1", "a@example.com")}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.Access(ctx, &sdk.AccessRequest{Job: job("rl", "2", "a@example.com")})
	if e := asError(t, err); e.Type != sdk.ErrorTimeout || !strings.Contains(e.Message, "rate_limit") {
		t.Errorf("error = %+v, want a timeout naming rate_limit", e)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the API got %d calls, want 1", n)
	}
}
