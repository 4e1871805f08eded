package connector

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/plugins/genericrest/catalog"
	"github.com/dsrhost/dsrhost/plugins/genericrest/fakevendors"
	"github.com/dsrhost/dsrhost/sdk"
)

// entrySettings are settings using entry name with a placeholder for every
// value and secret it asks for.
func entrySettings(t *testing.T, name string) map[string]any {
	t.Helper()
	e, ok := catalog.Get(name)
	if !ok {
		t.Fatalf("no catalogue entry %q", name)
	}
	values, secrets := map[string]any{}, map[string]any{}
	for k := range e.Values {
		values[k] = "v-" + k
	}
	for k := range e.Secrets {
		secrets[k] = "s-" + k
	}
	return map[string]any{"template": name, "values": values, "secrets": secrets}
}

func validate(t *testing.T, settings map[string]any) *sdk.ConfigureResponse {
	t.Helper()
	resp, err := New().Configure(context.Background(), &sdk.ConfigureRequest{Integration: "x", Settings: mustJSON(t, settings), ValidateOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestCatalogueEntriesValidate: every entry expands into settings that
// compile, and declares what it is.
func TestCatalogueEntriesValidate(t *testing.T) {
	names := catalog.Names()
	if len(names) < 10 {
		t.Errorf("catalogue has %d entries, want at least 10", len(names))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			resp := validate(t, entrySettings(t, name))
			if len(resp.Diagnostics) > 0 {
				t.Fatalf("diagnostics: %+v", resp.Diagnostics)
			}
			if len(resp.Capabilities) == 0 {
				t.Error("no capabilities")
			}
			e, _ := catalog.Get(name)
			for _, want := range []string{"Permissions to grant", "What is found", "What is deleted", "Behaviour"} {
				if !strings.Contains(e.Page(), want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if !strings.Contains(e.Example(), `template = "`+name+`"`) {
				t.Errorf("example does not use the entry:\n%s", e.Example())
			}
		})
	}
}

func TestCatalogueDiagnostics(t *testing.T) {
	withValue := entrySettings(t, "mailchimp")
	withValue["values"].(map[string]any)["lsit_id"] = "typo"
	missing := entrySettings(t, "mailchimp")
	delete(missing["secrets"].(map[string]any), "api_key")
	owned := entrySettings(t, "stripe")
	owned["access"] = map[string]any{"path": "/x", "records_path": "$"}
	tests := []struct {
		name     string
		settings map[string]any
		path     []string
		detail   string
	}{
		{"unknown entry", map[string]any{"template": "mailchimpp"}, []string{"template"}, "mailchimp"},
		{"unknown value", withValue, []string{"values", "lsit_id"}, "list_id"},
		{"missing secret", missing, []string{"secrets"}, "secrets.api_key"},
		{"setting the entry owns", owned, []string{"access"}, "stripe entry supplies access"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := validate(t, tt.settings)
			i := slices.IndexFunc(resp.Diagnostics, func(d sdk.Diagnostic) bool { return slices.Equal(d.Path, tt.path) })
			if i < 0 || resp.Diagnostics[i].Severity != sdk.SeverityError || !strings.Contains(resp.Diagnostics[i].Detail, tt.detail) {
				t.Fatalf("want an error at %v mentioning %q, got %+v", tt.path, tt.detail, resp.Diagnostics)
			}
		})
	}
}

// TestCatalogueOverrides: the admin's base_url and rate_limit replace the
// entry's, and secrets never appear in diagnostics.
func TestCatalogueOverrides(t *testing.T) {
	s := entrySettings(t, "mailchimp")
	s["base_url"] = "https://proxy.example/mailchimp/3.0"
	s["rate_limit"] = map[string]any{"requests": 2, "per": "1s"}
	raw := mustJSON(t, s)
	var decoded settings
	if err := sdk.Settings(raw).Decode(&decoded); err != nil {
		t.Fatal(err)
	}
	if diags := resolveTemplate(&decoded, s); diags != nil {
		t.Fatal(diags)
	}
	if decoded.BaseURL != "https://proxy.example/mailchimp/3.0" || *decoded.RateLimit.Requests != 2 {
		t.Errorf("overrides lost: %s %+v", decoded.BaseURL, decoded.RateLimit)
	}
	if decoded.Auth == nil || decoded.Auth.Basic == nil || decoded.Auth.Basic.Password != "s-api_key" {
		t.Errorf("the secret did not reach auth: %+v", decoded.Auth)
	}
	if !strings.Contains(decoded.Access.Path, "/lists/v-list_id/members/") {
		t.Errorf("access path = %q", decoded.Access.Path)
	}
}

// TestCatalogueRefusedCredentials: a key the vendor refuses is reported at
// settings.secrets, which the admin wrote, not at the entry's auth block.
func TestCatalogueRefusedCredentials(t *testing.T) {
	srv := startServer(t, fakevendors.NewStripe("sk_right", 100))
	s := entrySettings(t, "stripe")
	s["secrets"] = map[string]any{"secret_key": "sk_wrong"}
	s["base_url"] = srv.URL
	c, _ := newTestConnector()
	resp, err := c.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "stripe", Settings: mustJSON(t, s)})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) != 1 || !slices.Equal(resp.Diagnostics[0].Path, []string{"secrets"}) || resp.Diagnostics[0].Severity != sdk.SeverityError {
		t.Fatalf("diagnostics %+v, want one error at secrets", resp.Diagnostics)
	}
	if strings.Contains(resp.Diagnostics[0].Detail+resp.Diagnostics[0].Summary, "sk_wrong") {
		t.Error("the diagnostic shows the key")
	}
}
