package connector_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/internal/testclock"
	"github.com/dsrhost/dsrhost/plugins/heap/connector"
	"github.com/dsrhost/dsrhost/plugins/heap/fakeheap"
	"github.com/dsrhost/dsrhost/sdk"
)

// The Heap account the fake pretends to be, and a subject. Tests check that
// neither the key nor any identifier leaks into errors or logs.
const (
	appID        = "1234"
	apiKey       = "heap-key-7f3a9c-secret"
	stagingAppID = "5678"

	email   = "ada@example.com"
	phone   = "+15550100"
	userID  = "u-8812"
	loyalty = "L-99"
)

var subject = sdk.Subject{Email: email, Phone: phone, UserID: userID, Identifiers: map[string]string{"loyalty_id": loyalty}}

func newClock() *testclock.Clock {
	return testclock.New(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
}

// env is a fake Heap account and an unconfigured connector pointed at it.
// The fake's clock and the connector's clock move independently, so tests
// can expire a token on one side only.
type env struct {
	fake      *fakeheap.Server
	url       string
	heap      *connector.Heap
	heapClock *testclock.Clock
	logs      *testlog.Buffer
}

func newEnv(t *testing.T, cfg fakeheap.Config) *env {
	t.Helper()
	cfg.AppID, cfg.APIKey = appID, apiKey
	cfg.NonProductionAppIDs = []string{stagingAppID}
	if cfg.Clock == nil {
		cfg.Clock = newClock().Now
	}
	fake := fakeheap.New(cfg)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	e := &env{fake: fake, url: srv.URL, heapClock: newClock(), logs: &testlog.Buffer{}}
	logger := hclog.New(&hclog.LoggerOptions{Output: e.logs, Level: hclog.Trace})
	e.heap = connector.New(connector.WithClock(e.heapClock.Now), connector.WithLogger(logger))
	t.Cleanup(func() { assertNoLeak(t, "logs", e.logs.String()) })
	return e
}

// settings returns valid settings for the fake, changed by overrides; a nil
// override removes the attribute.
func (e *env) settings(overrides map[string]any) sdk.Settings {
	m := map[string]any{
		"app_id":   appID,
		"api_key":  apiKey,
		"base_url": e.url,
	}
	for k, v := range overrides {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	raw, _ := json.Marshal(m)
	return sdk.Settings(raw)
}

// configure configures the connector and fails the test on any diagnostic.
func (e *env) configure(t *testing.T, overrides map[string]any) {
	t.Helper()
	resp, err := e.heap.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "heap", Settings: e.settings(overrides)})
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if len(resp.Diagnostics) > 0 {
		t.Fatalf("Configure diagnostics: %+v", resp.Diagnostics)
	}
}

func job(key string) sdk.Job {
	return sdk.Job{IdempotencyKey: key, RequestID: "01J00000000000000000000000", RequestType: sdk.RequestDeletion,
		Subject: subject, Integration: "heap"}
}

// assertNoLeak fails when text holds the API key or any of the subject's
// identifiers.
func assertNoLeak(t *testing.T, where, text string) {
	t.Helper()
	for _, secret := range []string{apiKey, email, phone, userID, loyalty} {
		if strings.Contains(text, secret) {
			t.Errorf("%s leak a secret or an identifier: %q", where, text)
		}
	}
}

// errText is everything an *sdk.Error shows an admin.
func errText(e *sdk.Error) string { return e.Error() + " " + e.Remediation }
