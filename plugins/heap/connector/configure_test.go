package connector_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/plugins/heap/fakeheap"
	"github.com/dsrhost/dsrhost/sdk"
)

// The seed's steps to get an App ID and API key, which an auth failure's
// remediation repeats.
var seedSteps = []string{"Log in to Heap", "Account, Manage, and then Privacy & Security", "Generate New Key",
	"App ID and API Key", "Admin"}

func TestConfigureChecksCredentials(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]any
		faults    []fakeheap.Fault
		wantPath  string
		wantType  sdk.ErrorType
		wantCode  int
		// wantIn must all appear in the remediation.
		wantIn    []string
		retryable bool
	}{
		{name: "wrong key", overrides: map[string]any{"api_key": "wrong-key"},
			wantPath: "api_key", wantType: sdk.ErrorAuth, wantCode: 401, wantIn: seedSteps},
		{name: "unknown app id", overrides: map[string]any{"app_id": "999"},
			wantPath: "api_key", wantType: sdk.ErrorAuth, wantCode: 401, wantIn: append(seedSteps, "Main Production")},
		{name: "non-production app id", overrides: map[string]any{"app_id": stagingAppID},
			wantPath: "app_id", wantType: sdk.ErrorPermission, wantCode: 401,
			wantIn: []string{"Main Production environment", "Account, Manage, and then Privacy & Security"}},
		{name: "forbidden", faults: []fakeheap.Fault{{Status: 403, Body: `{"err":"Forbidden"}`}},
			wantPath: "api_key", wantType: sdk.ErrorPermission, wantCode: 403, wantIn: append(seedSteps, "Admin role")},
		{name: "no Heap API at base_url", faults: []fakeheap.Fault{{Status: 404, Body: `not found`}},
			wantPath: "base_url", wantType: sdk.ErrorInvalidConfig, wantCode: 404, wantIn: []string{"base_url"}},
		{name: "rate limited", faults: []fakeheap.Fault{{Status: 429, Header: http.Header{"Retry-After": {"12"}}}},
			wantType: sdk.ErrorRateLimited, wantCode: 429, retryable: true, wantIn: []string{"retried automatically"}},
		{name: "Heap down", faults: []fakeheap.Fault{{Status: 503}},
			wantType: sdk.ErrorUnavailable, wantCode: 503, retryable: true, wantIn: []string{"status.heap.io"}},
		{name: "not JSON", faults: []fakeheap.Fault{{Status: 200, Body: `<html>login</html>`}},
			wantPath: "base_url", wantType: sdk.ErrorInternal, wantCode: 200, wantIn: []string{"base_url"}},
		{name: "no access_token", faults: []fakeheap.Fault{{Status: 200, Body: `{"token":"x"}`}},
			wantPath: "base_url", wantType: sdk.ErrorInternal, wantCode: 200},
		{name: "timeout", overrides: map[string]any{"timeout": "100ms"}, faults: []fakeheap.Fault{{Hang: true}},
			wantPath: "base_url", wantType: sdk.ErrorTimeout, retryable: true, wantIn: []string{"timeout setting"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakeheap.Config{})
			e.fake.Fail(fakeheap.EndpointAuthToken, tt.faults...)
			resp, err := e.heap.Configure(context.Background(), &sdk.ConfigureRequest{Settings: e.settings(tt.overrides)})
			if err != nil {
				t.Fatalf("Configure: %v", err)
			}
			if len(resp.Diagnostics) != 1 {
				t.Fatalf("got %d diagnostics, want 1: %+v", len(resp.Diagnostics), resp.Diagnostics)
			}
			d := resp.Diagnostics[0]
			if d.Severity != sdk.SeverityError || strings.Join(d.Path, ".") != tt.wantPath || d.Err == nil {
				t.Fatalf("diagnostic %+v: want an error on %q carrying the Heap error", d, tt.wantPath)
			}
			if d.Err.Type != tt.wantType || d.Err.StatusCode != tt.wantCode || d.Err.Retryable != tt.retryable {
				t.Errorf("error %s retryable=%v, want type %s status %d retryable=%v", d.Err, d.Err.Retryable, tt.wantType, tt.wantCode, tt.retryable)
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(d.Err.Remediation, s) {
					t.Errorf("remediation %q lacks %q", d.Err.Remediation, s)
				}
			}
			assertNoLeak(t, "diagnostic", d.Summary+" "+d.Detail+" "+errText(d.Err))
			// Not configured: a job fails as invalid_config.
			_, err = e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k")})
			if got := sdk.AsError(err); got == nil || got.Type != sdk.ErrorInvalidConfig {
				t.Fatalf("Delete after a failed Configure: %v, want invalid_config", err)
			}
			if n := len(e.fake.Deletions()); n != 0 {
				t.Fatalf("%d deletions submitted without configuration", n)
			}
		})
	}
}

func TestConfigureUnreachable(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	resp, err := e.heap.Configure(context.Background(), &sdk.ConfigureRequest{Settings: e.settings(map[string]any{"base_url": closed})})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Err == nil {
		t.Fatalf("diagnostics %+v, want one carrying an error", resp.Diagnostics)
	}
	d := resp.Diagnostics[0]
	if strings.Join(d.Path, ".") != "base_url" || d.Err.Type != sdk.ErrorUnavailable || !d.Err.Retryable || d.Err.StatusCode != 0 {
		t.Fatalf("diagnostic %+v error %+v, want retryable unavailable on base_url without status", d, d.Err)
	}
}

func TestConfigureSucceedsAndKeepsToken(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	e.configure(t, nil)
	if got := e.fake.TokensIssued(); got != 1 {
		t.Fatalf("Configure obtained %d tokens, want 1", got)
	}
	// The token from Configure serves the first job.
	if _, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k1")}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got := e.fake.TokensIssued(); got != 1 {
		t.Fatalf("after Delete: %d tokens issued, want 1", got)
	}
}

// A bad reload keeps the running configuration, as the daemon does on SIGHUP.
func TestFailedReconfigureKeepsPreviousSettings(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	e.configure(t, nil)
	resp, err := e.heap.Configure(context.Background(), &sdk.ConfigureRequest{Settings: e.settings(map[string]any{"api_key": "revoked"})})
	if err != nil || !resp.HasErrors() {
		t.Fatalf("Configure with a wrong key: %v %+v, want an error diagnostic", err, resp)
	}
	e.heapClock.Advance(time.Hour) // force a new token: with the old key, it works
	if _, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k1")}); err != nil {
		t.Fatalf("Delete with the previous settings: %v", err)
	}
}
