package main

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/plugins/heap/connector"
	"github.com/dsrhost/dsrhost/plugins/heap/fakeheap"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

const (
	appID        = "1234"
	apiKey       = "conformance-key"
	stagingAppID = "5678"
)

func startFake(t *testing.T) (*fakeheap.Server, string) {
	t.Helper()
	fake := fakeheap.New(fakeheap.Config{
		AppID: appID, APIKey: apiKey, NonProductionAppIDs: []string{stagingAppID},
		PendingPolls: 2,
	})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

// The built dsrhost-plugin-heap, launched through go-plugin as the daemon
// launches it, keeps the connector contract against a fake Heap.
func TestConformance(t *testing.T) {
	fake, url := startFake(t)
	second, secondURL := startFake(t)
	subject := sdk.Subject{Email: "conformance@example.com", UserID: "sdktest-user"}
	sdktest.Run(t, sdktest.Config{
		Binary:         sdktest.Build(t, "."),
		ValidSettings:  map[string]any{"app_id": appID, "api_key": apiKey, "base_url": url, "send_user_id": true},
		SecondSettings: map[string]any{"app_id": appID, "api_key": apiKey, "base_url": secondURL, "send_user_id": true},
		InvalidSettings: []sdktest.SettingsCase{
			{Name: "wrong API key", Settings: map[string]any{"api_key": "wrong"}, WantPath: []string{"api_key"}},
			{Name: "non-production app id", Settings: map[string]any{"app_id": stagingAppID}, WantPath: []string{"app_id"}},
			{Name: "base_url not a URL", Settings: map[string]any{"base_url": "heapanalytics"}, WantPath: []string{"base_url"}},
			{Name: "negative timeout", Settings: map[string]any{"timeout": "-5s"}, WantPath: []string{"timeout"}},
			{Name: "send_user_id not a bool", Settings: map[string]any{"send_user_id": "yes"}, WantPath: []string{"send_user_id"}},
		},
		Subject: subject,
	})
	if t.Failed() {
		return
	}
	// Each integration's job was delivered twice and submitted once, to
	// its own Heap, with the identity and the user id as separate entries,
	// then polled to completion.
	if n := len(second.Deletions()); n != 1 {
		t.Errorf("the second integration's Heap received %d deletion requests, want 1", n)
	}
	dels := fake.Deletions()
	if len(dels) != 1 {
		t.Fatalf("Heap received %d deletion requests, want 1", len(dels))
	}
	want := []fakeheap.User{{Identity: subject.Email}, {UserID: subject.UserID}}
	if diff := cmp.Diff(want, dels[0].Users); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if dels[0].Polls != 3 {
		t.Errorf("deletion polled %d times, want 3 (two pending, then complete)", dels[0].Polls)
	}
}

// The binary describes itself exactly as the library does in-process.
func TestBinaryDescribesItself(t *testing.T) {
	remote := sdktest.Launch(t, sdktest.Build(t, "."))
	got, err := remote.Describe(context.Background())
	if err != nil {
		t.Fatalf("Describe through go-plugin: %v", err)
	}
	want, err := connector.New().Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Describe through go-plugin differs from in-process (-want +got):\n%s", diff)
	}
}
