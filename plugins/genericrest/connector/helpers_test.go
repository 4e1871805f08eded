package connector

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// startServer serves h on 127.0.0.1 until the test ends.
func startServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// sleeps records the Retry-After waits a connector asked for, and returns
// at once, so tests check the waits without spending them.
type sleeps struct {
	mu  sync.Mutex
	got []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.got = append(s.got, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.got...)
}

func newTestConnector() (*Connector, *sleeps) {
	c := New()
	s := &sleeps{}
	c.sleep = s.sleep
	return c, s
}

// configure configures integration name and fails the test on any error
// diagnostic.
func configure(t *testing.T, c *Connector, name string, settings map[string]any) []sdk.Diagnostic {
	t.Helper()
	resp, err := c.Configure(context.Background(), &sdk.ConfigureRequest{Integration: name, Settings: mustJSON(t, settings)})
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if resp.HasErrors() {
		t.Fatalf("Configure: %+v", resp.Diagnostics)
	}
	return resp.Diagnostics
}

// rebase points the settings' base_url (and an OAuth2 token_url) at srv,
// keeping their paths.
func rebase(t *testing.T, settings map[string]any, srv *httptest.Server) {
	t.Helper()
	target, _ := url.Parse(srv.URL)
	move := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		u.Scheme, u.Host = target.Scheme, target.Host
		return u.String()
	}
	settings["base_url"] = move(settings["base_url"].(string))
	if auth, ok := settings["auth"].(map[string]any); ok {
		if o, ok := auth["oauth2"].(map[string]any); ok {
			o["token_url"] = move(o["token_url"].(string))
		}
	}
}

func job(integration, key, email string) sdk.Job {
	return sdk.Job{IdempotencyKey: key, RequestID: "01JREQUEST", RequestType: sdk.RequestDeletion,
		Subject: sdk.Subject{Email: email}, Integration: integration}
}

// asError returns err as *sdk.Error or fails the test.
func asError(t *testing.T, err error) *sdk.Error {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got none")
	}
	e, ok := err.(*sdk.Error)
	if !ok {
		t.Fatalf("want *sdk.Error, got %T: %v", err, err)
	}
	return e
}

// assertNoPersonalData fails when an error carries any of values.
func assertNoPersonalData(t *testing.T, e *sdk.Error, values ...string) {
	t.Helper()
	for _, v := range values {
		if strings.Contains(e.Message, v) || strings.Contains(e.Remediation, v) {
			t.Errorf("error %q / %q carries %q", e.Message, e.Remediation, v)
		}
	}
}
