package main

import (
	"net/http/httptest"
	"testing"

	"github.com/dsrhost/dsrhost/examples/genericrest/demoapi"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// startCRM serves a demo CRM holding contacts for email and returns it
// with its base URL.
func startCRM(t *testing.T, token, email string, names ...string) (*demoapi.CRM, string) {
	t.Helper()
	crm := demoapi.NewCRM(token, 50)
	for _, n := range names {
		crm.Add(email, n)
	}
	srv := httptest.NewServer(crm)
	t.Cleanup(srv.Close)
	return crm, srv.URL + "/v1"
}

// The 44-line connector keeps its settings on its struct, and passes the
// conformance harness with two integrations against two CRMs.
func TestConformance(t *testing.T) {
	subject := sdk.Subject{Email: "ada@example.com"}
	eu, euURL := startCRM(t, "eu-token", subject.Email, "Ada", "Ada L.")
	us, usURL := startCRM(t, "us-token", subject.Email, "Ada US")
	sdktest.Run(t, sdktest.Config{
		Binary:         sdktest.Build(t, "."),
		Subject:        subject,
		ValidSettings:  map[string]any{"url": euURL, "token": "eu-token"},
		SecondSettings: map[string]any{"url": usURL, "token": "us-token"},
		InvalidSettings: []sdktest.SettingsCase{
			{Name: "refused token", Settings: map[string]any{"token": "revoked"}, WantPath: []string{"token"}},
			{Name: "token missing", Settings: map[string]any{"token": nil}, WantPath: []string{"token"}},
			{Name: "token not a string", Settings: map[string]any{"token": 7}, WantPath: []string{"token"}},
		},
	})
	if got := eu.Deleted(); len(got) != 2 {
		t.Errorf("the first CRM deleted %v, want its two contacts", got)
	}
	if got := us.Deleted(); len(got) != 1 {
		t.Errorf("the second CRM deleted %v, want its one contact", got)
	}
}
