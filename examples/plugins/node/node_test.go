// Package node_test runs the Node.js connector through the sdk's
// conformance harness, launched as the daemon launches any plugin binary.
package node_test

import (
	"net/http/httptest"
	"testing"

	"github.com/dsrhost/dsrhost/examples/genericrest/demoapi"
	"github.com/dsrhost/dsrhost/examples/plugins/node/nodetest"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

func startCRM(t *testing.T, token, email string, names ...string) (*demoapi.CRM, string) {
	t.Helper()
	crm := demoapi.NewCRM(token, 2) // two per page: the connector must follow the paging
	for _, n := range names {
		crm.Add(email, n)
	}
	srv := httptest.NewServer(crm)
	t.Cleanup(srv.Close)
	return crm, srv.URL + "/v1"
}

func TestConformance(t *testing.T) {
	launcher := nodetest.Install(t)
	subject := sdk.Subject{Email: "ada@example.com"}
	eu, euURL := startCRM(t, "eu-token", subject.Email, "Ada", "Ada L.", "A. Lovelace")
	us, usURL := startCRM(t, "us-token", subject.Email, "Ada US")
	sdktest.Run(t, sdktest.Config{
		Binary:         launcher,
		Subject:        subject,
		ValidSettings:  map[string]any{"url": euURL, "token": "eu-token"},
		SecondSettings: map[string]any{"url": usURL, "token": "us-token"},
		InvalidSettings: []sdktest.SettingsCase{
			{Name: "refused token", Settings: map[string]any{"token": "revoked"}, WantPath: []string{"token"}},
			{Name: "url not a URL", Settings: map[string]any{"url": "crm.example"}, WantPath: []string{"url"}},
			{Name: "token missing", Settings: map[string]any{"token": nil}, WantPath: []string{"token"}},
		},
	})
	if got := eu.Deleted(); len(got) != 3 {
		t.Errorf("the first CRM deleted %v, want its three contacts", got)
	}
	if got := us.Deleted(); len(got) != 1 {
		t.Errorf("the second CRM deleted %v, want its one contact", got)
	}
}
