package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/examples/genericrest/demoapi"
	"github.com/dsrhost/dsrhost/examples/plugins/node/nodetest"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// connectorWorld is a daemon running blocks (plugins and integrations)
// beside a real redis-server, requests approved on creation.
type connectorWorld struct {
	t    *testing.T
	bin  string
	addr string
	d    *daemon
}

func startConnectorWorld(t *testing.T, blocks string, env ...string) *connectorWorld {
	t.Helper()
	w := &connectorWorld{t: t, bin: testbin.Install(t), addr: freeAddr(t)}
	rs := testredis.Start(t)
	cfg := configHeader(w.addr, redisURLBlock(rs.Addr)) + `request_type "access" {
  auto_approve = true
}
` + blocks
	path := filepath.Join(t.TempDir(), "dsrhost.hcl")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	w.d = &daemon{cmd: newServerCmd(w.bin, path), done: make(chan struct{})}
	w.d.cmd.Env = append(os.Environ(), env...)
	startProcess(t, w.d)
	testbin.WaitServing(t, w.addr, w.d.log)
	return w
}

func (w *connectorWorld) cli(args ...string) string {
	w.t.Helper()
	return cli(w.t, w.bin, w.addr, args...)
}

// create files a request and returns its id.
func (w *connectorWorld) create(typ, email string) string {
	w.t.Helper()
	out := w.cli("request", "create", "-type", typ, "-email", email)
	m := regexp.MustCompile(`request ([0-9A-Z]{26})`).FindStringSubmatch(out)
	if m == nil {
		w.t.Fatalf("no request id in %q", out)
	}
	return m[1]
}

func (w *connectorWorld) get(id string) jsonRequest {
	w.t.Helper()
	var r struct{ Request jsonRequest }
	if err := json.Unmarshal([]byte(w.cli("request", "get", "-format", "json", id)), &r); err != nil {
		w.t.Fatal(err)
	}
	return r.Request
}

// waitLabels waits for the request to reach Reply and checks its labels.
func (w *connectorWorld) waitLabels(id string, want map[string]string) {
	w.t.Helper()
	waitFor(w.t, "Reply", func() bool { return w.get(id).Stage == "STAGE_REPLY" })
	if got := w.get(id).labels(); fmt.Sprint(got) != fmt.Sprint(want) {
		w.t.Errorf("labels:\n got %v\nwant %v", got, want)
	}
}

// serveCRM serves a demo CRM holding contacts and returns it with the
// address its connector settings use.
func serveCRM(t *testing.T, token string, contacts ...[2]string) (*demoapi.CRM, string) {
	t.Helper()
	crm := demoapi.NewCRM(token, 2)
	for _, c := range contacts {
		crm.Add(c[0], c[1])
	}
	srv := httptest.NewServer(crm)
	t.Cleanup(srv.Close)
	return crm, srv.URL + "/v1"
}

// A connector keeping its settings on its struct, as the sdk's old doc
// example did, configured as two integrations against two CRMs, deletes
// the subject's contacts in each CRM and nowhere else.
func TestOnePluginTwoIntegrations(t *testing.T) {
	t.Parallel()
	contacts := sdktest.Build(t, "github.com/dsrhost/dsrhost/examples/plugins/contacts")
	eu, euURL := serveCRM(t, "eu-token", [2]string{"ada@example.com", "Ada"}, [2]string{"grace@example.com", "Grace"},
		[2]string{"ada@example.com", "Ada L."})
	us, usURL := serveCRM(t, "us-token", [2]string{"ada@example.com", "Ada US"})
	w := startConnectorWorld(t, fmt.Sprintf(`
plugin "contacts" {
  command = %q
}
integration "crm-eu" {
  plugin = "contacts"
  settings {
    url   = %q
    token = "eu-token"
  }
}
integration "crm-us" {
  plugin = "contacts"
  settings {
    url   = %q
    token = env("US_TOKEN")
  }
}
`, contacts, euURL, usURL), "US_TOKEN=us-token")

	id := w.create("deletion", "ada@example.com")
	w.waitLabels(id, map[string]string{
		"Extracting Personal Data/crm-eu": "Complete 2 records found",
		"Extracting Personal Data/crm-us": "Complete 1 records found",
		"Pending Delete/crm-eu":           "Complete 2 records deleted",
		"Pending Delete/crm-us":           "Complete 1 records deleted",
	})
	// Both CRMs number contacts from 1001: a deletion sent to the wrong
	// one would land on another person's contact or on nothing.
	if got := eu.Deleted(); !slices.Equal(got, []string{"1001", "1003"}) {
		t.Errorf("the EU CRM deleted %v, want Ada's 1001 and 1003 (Grace's 1002 kept)", got)
	}
	if got := us.Deleted(); !slices.Equal(got, []string{"1001"}) {
		t.Errorf("the US CRM deleted %v, want Ada's 1001", got)
	}
}

// A connector whose errors and log lines quote the subject's email and its
// token: neither reaches `request get`, the history or the daemon's log.
func TestPluginErrorsAreRedacted(t *testing.T) {
	t.Parallel()
	const token = "tok-9d1e77-secret"
	const email = "Ada.Lovelace@example.com"
	bin := testbin.Install(t)
	w := startConnectorWorld(t, fmt.Sprintf(`
plugin "leaky" {
  command = %q
  args    = ["-type", "sync"]
}
integration "leaky" {
  plugin         = "leaky"
  retry_interval = "1h"
  max_attempts   = 1
  settings {
    token       = env("LEAKY_TOKEN")
    fail_with   = "permission"
    fail_status = 403
    leak        = true
  }
}
`, filepath.Join(bin, "dsrhost-plugin-test")), "LEAKY_TOKEN="+token)

	id := w.create("deletion", email)
	var get string
	waitFor(t, "the integration's error", func() bool {
		get = w.cli("request", "get", "-format", "json", id)
		return strings.Contains(get, "permission")
	})
	if !strings.Contains(get, "[redacted]") {
		t.Errorf("request get shows no redaction of the connector's message:\n%s", get)
	}
	waitFor(t, "the connector's log line", func() bool { return strings.Contains(w.d.log(), "failing for") })
	// The request shows its subject, of course: only what the plugin said
	// is checked.
	var r struct {
		Request struct {
			Integrations json.RawMessage `json:"integrations"`
		} `json:"request"`
	}
	if err := json.Unmarshal([]byte(get), &r); err != nil || len(r.Request.Integrations) == 0 {
		t.Fatalf("request get -format json: %v\n%s", err, get)
	}
	var text []string
	for _, line := range strings.Split(w.cli("request", "get", id), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "Email") {
			text = append(text, line)
		}
	}
	for where, text := range map[string]string{
		"request get":      string(r.Request.Integrations) + strings.Join(text, "\n"),
		"request history":  w.cli("request", "history", id) + w.cli("request", "history", "-format", "json", id),
		"the daemon's log": w.d.log(),
	} {
		for _, secret := range []string{email, token} {
			if strings.Contains(strings.ToLower(text), strings.ToLower(secret)) {
				t.Errorf("%s holds %q:\n%s", where, secret, text)
			}
		}
	}
}

// The Node.js connector, launched by the daemon like any plugin binary,
// completes an access request and a deletion request against the demo
// CRM.
func TestNodeConnectorUnderTheDaemon(t *testing.T) {
	t.Parallel()
	launcher := nodetest.Install(t)
	crm, url := serveCRM(t, "node-token", [2]string{"ada@example.com", "Ada"}, [2]string{"ada@example.com", "Ada L."},
		[2]string{"ada@example.com", "A. Lovelace"}, [2]string{"grace@example.com", "Grace"})
	w := startConnectorWorld(t, fmt.Sprintf(`
plugin "node-crm" {
  command = %q
}
integration "crm" {
  plugin   = "node-crm"
  category = "CRM"
  settings {
    url   = %q
    token = env("CRM_TOKEN")
  }
}
`, launcher, url), "CRM_TOKEN=node-token")

	access := w.create("access", "ada@example.com")
	w.waitLabels(access, map[string]string{"Extracting Personal Data/crm": "Complete 3 records found"})
	if got := crm.Deleted(); len(got) != 0 {
		t.Fatalf("an access request deleted %v", got)
	}

	deletion := w.create("deletion", "ada@example.com")
	w.waitLabels(deletion, map[string]string{
		"Extracting Personal Data/crm": "Complete 3 records found",
		"Pending Delete/crm":           "Complete 3 records deleted",
	})
	if got := crm.Deleted(); !slices.Equal(got, []string{"1001", "1002", "1003"}) {
		t.Errorf("the CRM deleted %v, want Ada's three contacts (Grace's kept)", got)
	}
	hist := w.cli("request", "history", deletion)
	for _, want := range []string{"request.created", "stage.changed", "crm"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
	if !strings.Contains(w.d.log(), "plugin.node-crm") || !strings.Contains(w.d.log(), "configured: integration=crm") {
		t.Errorf("the daemon's log lacks the Node.js plugin's own lines:\n%s", w.d.log())
	}
	if strings.Contains(w.d.log(), "ada@example.com") || strings.Contains(w.d.log(), "node-token") {
		t.Error("the daemon's log holds the subject's email or the token")
	}
}
