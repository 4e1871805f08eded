package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	fv "github.com/dsrhost/dsrhost/plugins/genericrest/fakevendors"
)

// catalogCase is one catalogue entry under test: the fake it talks to,
// the admin's settings, and the labels a deletion request must end with.
type catalogCase struct {
	entry string
	// name is the integration's name when it differs from entry; extra
	// holds further integration attributes.
	name, extra string
	vendor      fv.Vendor
	prefix      string            // the path base_url carries at the vendor
	values      map[string]string // settings.values
	secrets     map[string]string // settings.secrets, passed through env()
	// subject is the key the vendor holds the subject's records under
	// (an email, or a user id).
	subject string
	found   string // Extracting Personal Data label; "" when not run
	deleted string // Pending Delete label
}

// TestCatalogueEndToEnd runs every catalogue entry through the real daemon,
// all in one daemon on one redis-server: each integration uses its entry by
// name with only its own values and secrets, pointed at a local fake of
// the vendor's API whose first call on every route answers 429 with
// Retry-After. One deletion request finds the subject's records (paged
// where the vendor pages) and deletes them; the fakes must hold nothing of
// the subject afterwards and everything of another person.
func TestCatalogueEndToEnd(t *testing.T) {
	t.Parallel()
	bin := testbin.Install(t)
	rs := testredis.Start(t)
	cases := catalogCases()
	const ada, bob = "ada@example.com", "bob@example.com"
	var blocks strings.Builder
	env := os.Environ()
	for _, c := range cases {
		srv := httptest.NewServer(c.vendor)
		t.Cleanup(srv.Close)
		for i := 1; i <= c.perPerson(); i++ {
			c.vendor.Add(fv.Record{ID: c.recordID("bob", i), Email: strings.Replace(c.subject, "ada", "bob", 1), Name: "Bob"})
		}
		blocks.WriteString(integrationBlock(c, srv.URL+c.prefix))
		for k, v := range c.secrets {
			env = append(env, envName(c.integration(), k)+"="+v)
		}
	}
	// An integration depending on two Zendesk accounts gets every user id
	// both found, not the first only, and sends its request once per id.
	tickets := &pathRecorder{}
	ticketSrv := httptest.NewServer(tickets)
	t.Cleanup(ticketSrv.Close)
	fmt.Fprintf(&blocks, `
integration "zendesk-tickets" {
  plugin     = "genericrest"
  depends_on = ["zendesk", "zendesk-eu"]
  settings {
    base_url = %q
    deletion {
      mode = "whole_record"
      path = "/users/{{ .zendesk_user_id }}/tickets"
    }
  }
}
`, ticketSrv.URL)
	addr := freeAddr(t)
	cfg := configHeader(addr, redisURLBlock(rs.Addr)) + blocks.String()
	path := filepath.Join(t.TempDir(), "catalog.hcl")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	d := &daemon{done: make(chan struct{})}
	d.cmd = newServerCmd(bin, path)
	d.cmd.Env = env
	startProcess(t, d)
	testbin.WaitServing(t, addr, d.log)

	out := cli(t, bin, addr, "request", "create", "-type", "deletion", "-email", ada, "-user-id", "ada-1")
	id := regexp.MustCompile(`request ([0-9A-Z]{26})`).FindStringSubmatch(out)[1]
	get := func() jsonRequest {
		var r struct{ Request jsonRequest }
		if err := json.Unmarshal([]byte(cli(t, bin, addr, "request", "get", "-format", "json", id)), &r); err != nil {
			t.Fatal(err)
		}
		return r.Request
	}
	// Every integration ends, the failing one in Error: its job's FAILURE
	// state fails the attempt at once, long before max_wait.
	var labels map[string]string
	waitFor(t, "every integration done", func() bool {
		labels = get().labels()
		for _, c := range cases {
			if l := labels["Pending Delete/"+c.integration()]; l == "" || (l != "Error" && !strings.HasPrefix(l, "Complete")) {
				return false
			}
		}
		return true
	})
	for _, c := range cases {
		t.Run(c.integration(), func(t *testing.T) {
			if got := labels["Extracting Personal Data/"+c.integration()]; got != c.found {
				t.Errorf("Extracting Personal Data: %q, want %q", got, c.found)
			}
			if got := labels["Pending Delete/"+c.integration()]; got != c.deleted {
				t.Errorf("Pending Delete: %q, want %q", got, c.deleted)
			}
			if left := c.vendor.Remaining(c.subject); len(left) > 0 && c.deleted != "Error" {
				t.Errorf("the vendor still holds %v of the subject", left)
			}
			if left := c.vendor.Remaining(strings.Replace(c.subject, "ada", "bob", 1)); len(left) != c.perPerson() {
				t.Errorf("the vendor holds %v of another person, want %d records untouched", left, c.perPerson())
			}
			if c.vendor.Throttled() == 0 {
				t.Error("the vendor never answered 429")
			}
		})
	}
	var want []string
	for _, c := range cases {
		for i := 1; c.entry == "zendesk" && i <= 3; i++ {
			want = append(want, "DELETE /users/"+c.recordID("ada", i)+"/tickets")
		}
	}
	slices.Sort(want)
	if got := tickets.sorted(); !slices.Equal(got, want) {
		t.Errorf("the dependent integration sent %v, want one request per Zendesk user: %v", got, want)
	}
	if got := labels["Pending Delete/zendesk-tickets"]; got != "Complete Deletion done" {
		t.Errorf("dependent integration: %q", got)
	}
	for _, c := range cases {
		if z, ok := c.vendor.(*fv.Zendesk); ok && z.SoftDeleted() != 0 {
			t.Errorf("%s: %d users soft-deleted but not purged", c.integration(), z.SoftDeleted())
		}
	}
	log := d.log()
	for _, c := range cases {
		for _, v := range c.secrets {
			if strings.Contains(log, v) {
				t.Errorf("the daemon's log holds %s's secret", c.entry)
			}
		}
	}
	if strings.Contains(log, ada) {
		t.Error("the daemon's log holds the subject's email")
	}
}

// catalogCases are the catalogue entries with their fakes and the
// subject's records in each: three where the vendor pages (two a page),
// so every paged search needs a second page.
func catalogCases() []catalogCase {
	const ada = "ada@example.com"
	cases := []catalogCase{
		{entry: "mailchimp", vendor: fv.NewMailchimp("mc-key-us6", "list1"), prefix: "/3.0",
			values: map[string]string{"dc": "us6", "list_id": "list1"}, secrets: map[string]string{"api_key": "mc-key-us6"},
			subject: ada, found: "Complete 1 records found", deleted: "Complete 1 records deleted"},
		{entry: "klaviyo", vendor: fv.NewKlaviyo("pk_klaviyo", 1), prefix: "/api",
			secrets: map[string]string{"api_key": "pk_klaviyo"},
			subject: ada, found: "Complete 1 records found", deleted: "Complete Deletion done"},
		{entry: "zendesk", vendor: fv.NewZendesk("admin@acme.example", "zd-token", 2), prefix: "/api/v2",
			values: map[string]string{"subdomain": "acme", "email": "admin@acme.example"}, secrets: map[string]string{"api_token": "zd-token"},
			subject: ada, found: "Complete 3 records found", deleted: "Complete 3 records deleted"},
		{entry: "zendesk", name: "zendesk-eu", vendor: fv.NewZendesk("admin@acme.example", "zd-token-eu", 2), prefix: "/api/v2",
			values: map[string]string{"subdomain": "acme-eu", "email": "admin@acme.example"}, secrets: map[string]string{"api_token": "zd-token-eu"},
			subject: ada, found: "Complete 3 records found", deleted: "Complete 3 records deleted"},
		{entry: "intercom", vendor: fv.NewIntercom("ic-token", 2),
			secrets: map[string]string{"access_token": "ic-token"},
			subject: ada, found: "Complete 3 records found", deleted: "Complete 3 records deleted"},
		{entry: "hubspot", vendor: fv.NewHubSpot("pat-hubspot", 2),
			secrets: map[string]string{"access_token": "pat-hubspot"},
			subject: ada, found: "Complete 3 records found", deleted: "Complete 3 records deleted"},
		{entry: "stripe", vendor: fv.NewStripe("sk_test_stripe", 2),
			secrets: map[string]string{"secret_key": "sk_test_stripe"},
			subject: ada, found: "Complete 3 records found", deleted: "Complete 3 records deleted"},
		{entry: "segment", vendor: fv.NewSegment("sgp_token", 2),
			secrets: map[string]string{"token": "sgp_token"},
			subject: "ada-1", deleted: "Complete Deletion done"},
		{entry: "braze", vendor: fv.NewBraze("braze-key"),
			values: map[string]string{"rest_endpoint": "rest.iad-01.braze.com"}, secrets: map[string]string{"api_key": "braze-key"},
			subject: ada, found: "Complete 3 records found", deleted: "Complete 3 records deleted"},
		{entry: "sendgrid", vendor: fv.NewSendGrid("SG.key", 2),
			secrets: map[string]string{"api_key": "SG.key"},
			subject: ada, found: "Complete 1 records found", deleted: "Complete 1 records deleted"},
		{entry: "mixpanel", vendor: fv.NewMixpanel("mp-oauth", "mp-project", 2), prefix: "/api/app",
			values: map[string]string{"project_token": "mp-project"}, secrets: map[string]string{"oauth_token": "mp-oauth"},
			subject: "ada-1", deleted: "Complete Deletion done"},
		{entry: "mixpanel", name: "mixpanel-failing", vendor: failingMixpanel(), prefix: "/api/app",
			extra:  "  max_attempts = 1\n  max_wait     = \"24h\"\n",
			values: map[string]string{"project_token": "mp-project"}, secrets: map[string]string{"oauth_token": "mp-oauth-2"},
			subject: "ada-1", deleted: "Error"},
	}
	for _, c := range cases {
		for i := 1; i <= c.perPerson(); i++ {
			c.vendor.Add(fv.Record{ID: c.recordID("ada", i), Email: c.subject, Name: "Ada"})
		}
	}
	return cases
}

func failingMixpanel() *fv.Mixpanel {
	m := fv.NewMixpanel("mp-oauth-2", "mp-project", 1)
	m.FailTasks = true
	return m
}

func (c catalogCase) integration() string {
	if c.name != "" {
		return c.name
	}
	return c.entry
}

// perPerson is how many records the vendor holds for one person: one where
// it keeps one per email address, three elsewhere.
func (c catalogCase) perPerson() int {
	switch c.entry {
	case "mailchimp", "klaviyo", "sendgrid":
		return 1
	}
	return 3
}

// recordID makes the vendor's kind of id, different in every integration:
// Zendesk's are numbers.
func (c catalogCase) recordID(person string, i int) string {
	if c.entry == "zendesk" {
		return fmt.Sprintf("%d%d", len(c.integration())*1000+int(person[0]), i)
	}
	return fmt.Sprintf("%s-%s-%d", c.integration(), person, i)
}

func integrationBlock(c catalogCase, baseURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "integration %q {\n  plugin         = \"genericrest\"\n  poll_interval  = \"1s\"\n  retry_interval = \"2s\"\n%s  settings {\n    template = %q\n    base_url = %q\n", c.integration(), c.extra, c.entry, baseURL)
	b.WriteString("    rate_limit {\n      requests = 100\n      per      = \"1s\"\n    }\n")
	writeMap(&b, "values", c.values, func(_, v string) string { return fmt.Sprintf("%q", v) })
	writeMap(&b, "secrets", c.secrets, func(k, _ string) string { return fmt.Sprintf("env(%q)", envName(c.integration(), k)) })
	b.WriteString("  }\n}\n")
	return b.String()
}

func writeMap(b *strings.Builder, name string, m map[string]string, value func(k, v string) string) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fmt.Fprintf(b, "    %s = {\n", name)
	for _, k := range keys {
		fmt.Fprintf(b, "      %s = %s\n", k, value(k, m[k]))
	}
	b.WriteString("    }\n")
}

func envName(integration, key string) string {
	return strings.ToUpper(strings.ReplaceAll("DSRHOST_TEST_"+integration+"_"+key, "-", "_"))
}

// pathRecorder answers 204 and remembers each request's method and path.
type pathRecorder struct {
	mu    sync.Mutex
	paths []string
}

func (p *pathRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.paths = append(p.paths, r.Method+" "+r.URL.Path)
	p.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (p *pathRecorder) sorted() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Sorted(slices.Values(p.paths))
}
