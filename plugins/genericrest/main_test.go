package main

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/dsrhost/dsrhost/examples/genericrest/demoapi"
	"github.com/dsrhost/dsrhost/plugins/genericrest/connector"
	"github.com/dsrhost/dsrhost/plugins/genericrest/internal/settingstest"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// The harness's subject; the fake APIs hold its data.
const subject = "conformance@example.com"

// TestConformance builds dsrhost-plugin-genericrest and runs the sdk's
// conformance harness against it, launched through go-plugin as the daemon
// launches it, once for each shipped example against its fake API.
func TestConformance(t *testing.T) {
	bin := sdktest.Build(t, ".")

	t.Run("synchronous CRM", func(t *testing.T) {
		crm := demoapi.NewCRM(settingstest.Env["DEMO_CRM_TOKEN"], 2)
		for _, name := range []string{"A", "B", "C"} {
			crm.Add(subject, name)
		}
		settings := example(t, "crm.hcl", crm)
		// A second integration in the same process, on a CRM of its own.
		crm2 := demoapi.NewCRM(settingstest.Env["DEMO_CRM_TOKEN"], 2)
		for _, name := range []string{"D", "E"} {
			crm2.Add(subject, name)
		}
		access := clone(settings["access"])
		access["records_path"] = "$.results["
		recordInAccess := clone(settings["access"])
		recordInAccess["path"] = "/contacts/{{ .record.id }}"
		sdktest.Run(t, sdktest.Config{
			Binary:         bin,
			ValidSettings:  settings,
			SecondSettings: example(t, "crm.hcl", crm2),
			InvalidSettings: []sdktest.SettingsCase{
				{Name: "refused token", Settings: map[string]any{"auth": map[string]any{"bearer": map[string]any{"token": "revoked"}}},
					WantPath: []string{"auth", "bearer"}},
				{Name: "two auth kinds", Settings: map[string]any{"auth": map[string]any{
					"bearer": map[string]any{"token": "t"}, "basic": map[string]any{"username": "u", "password": "p"}}},
					WantPath: []string{"auth", "basic"}},
				{Name: "bad JSONPath", Settings: map[string]any{"access": access}, WantPath: []string{"access", "records_path"}},
				{Name: "record outside deletion", Settings: map[string]any{"access": recordInAccess}, WantPath: []string{"access", "path"}},
				{Name: "relative base_url", Settings: map[string]any{"base_url": "crm.example/v1"}, WantPath: []string{"base_url"}},
			},
		})
		// Three contacts, deleted once although the harness delivered the
		// deletion twice.
		if got := crm.Deleted(); len(got) != 3 {
			t.Errorf("the CRM deleted %v, want the subject's three contacts once each", got)
		}
		if got := crm2.Deleted(); len(got) != 2 {
			t.Errorf("the second CRM deleted %v, want the subject's two contacts once each", got)
		}
	})

	t.Run("asynchronous exports", func(t *testing.T) {
		api := demoapi.NewExports(settingstest.Env["DEMO_EXPORTS_API_KEY"], 2, 2)
		for _, id := range []string{"e1", "e2", "e3"} {
			api.AddRecord(subject, map[string]any{"id": id, "type": "page_view"})
		}
		api2 := demoapi.NewExports(settingstest.Env["DEMO_EXPORTS_API_KEY"], 2, 2)
		api2.AddRecord(subject, map[string]any{"id": "e9", "type": "click"})
		sdktest.Run(t, sdktest.Config{
			Binary:         bin,
			ValidSettings:  example(t, "async-export.hcl", api),
			SecondSettings: example(t, "async-export.hcl", api2),
			InvalidSettings: []sdktest.SettingsCase{
				{Name: "oauth2 without token_url", Settings: map[string]any{"auth": map[string]any{"oauth2": map[string]any{
					"token_url": "", "client_id": "c", "client_secret": "s"}}}, WantPath: []string{"auth", "oauth2", "token_url"}},
			},
		})
		// The harness runs two access jobs on the first integration (before
		// and after the second is configured) and one deletion, each
		// delivered twice: one submission per job.
		if e, d := api.Submissions("export"), api.Submissions("deletion"); e != 2 || d != 1 {
			t.Errorf("submitted %d exports and %d deletions, want 2 and 1 for jobs delivered twice", e, d)
		}
		if e := api2.Submissions("export"); e != 1 {
			t.Errorf("the second API got %d exports, want 1", e)
		}
		if n := len(api.Records(subject)); n != 0 {
			t.Errorf("%d records left after the deletion finished", n)
		}
	})

	t.Run("OAuth2 with 429 bursts", func(t *testing.T) {
		api := demoapi.NewPeople("dsrhost", settingstest.Env["DEMO_PEOPLE_CLIENT_SECRET"], "people.read", "people.erase")
		api.BurstEvery, api.BurstLength, api.RetryAfter = 4, 1, 1
		for _, name := range []string{"A", "B", "C"} {
			api.Add(subject, name)
		}
		settings := example(t, "oauth2-people.hcl", api)
		api2 := demoapi.NewPeople("dsrhost", settingstest.Env["DEMO_PEOPLE_CLIENT_SECRET"], "people.read", "people.erase")
		api2.Add(subject, "D")
		wrongSecret := clone(settings["auth"])
		wrongSecret["oauth2"] = maps.Clone(wrongSecret["oauth2"].(map[string]any))
		wrongSecret["oauth2"].(map[string]any)["client_secret"] = "wrong"
		sdktest.Run(t, sdktest.Config{
			Binary:         bin,
			ValidSettings:  settings,
			SecondSettings: example(t, "oauth2-people.hcl", api2),
			InvalidSettings: []sdktest.SettingsCase{
				{Name: "refused client secret", Settings: map[string]any{"auth": wrongSecret}, WantPath: []string{"auth", "oauth2"}},
			},
		})
		if api.Throttled() == 0 {
			t.Error("the API never throttled; the burst was not exercised")
		}
		if n := api.Count(subject); n != 0 {
			t.Errorf("%d people left after the erasure", n)
		}
	})
}

// example serves api on 127.0.0.1 and returns the settings of
// examples/genericrest/<file>, decoded as the daemon decodes them and
// pointed at it.
func example(t *testing.T, file string, api http.Handler) map[string]any {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	settings := settingstest.Example(t, "../../examples/genericrest/"+file, connector.Name, connector.Schema())
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
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
	return settings
}

func clone(v any) map[string]any { return maps.Clone(v.(map[string]any)) }
