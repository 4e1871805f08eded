package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testbrowser"
)

// consoleViewer signs in with the viewer role.
const consoleViewer = "viewer"

// consoleConfig is the cluster's configuration plus a viewer token, two
// integrations of the test connector that fail (403), and a manual source,
// so an access request mixes every kind of row.
func consoleConfig(t *testing.T, c *cluster, addr string) string {
	t.Helper()
	path := c.config("console.hcl", addr, "10ms")
	src, _ := os.ReadFile(path)
	src = append(src, []byte(`
admin_token "auditor" {
  sha256 = "b6ad0ea0d8e2e5bd0d8d9b00e14b7c1b7d1d55b6e4b3b58cb12c7eb78a0a3b1b"
  role   = "viewer"
}
manual "paper-archive" {
  category      = "Archive"
  request_types = ["access"]
  instructions  = "Search the paper archive."
}
`)...)
	for _, name := range []string{"flaky-a", "flaky-b"} {
		src = append(src, []byte(fmt.Sprintf(`
plugin "test-%[1]s" {
  command = %[2]q
  args    = ["-type", "sync"]
}
integration %[1]q {
  plugin         = "test-%[1]s"
  retry_interval = "1h"
  max_attempts   = 1
  settings {
    token       = "t"
    fail_with   = "permission"
    fail_status = 403
  }
}
`, name, filepath.Join(c.bin, "dsrhost-plugin-test")))...)
	}
	src = regexp.MustCompile(`b6ad0ea0[0-9a-f]+`).ReplaceAll(src, []byte(sha256Hex(consoleViewer)))
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConsole drives the operator console in Chromium against a real
// daemon, its plugins and Redis: sign in, filter the list to one request,
// approve it choosing sources, retry a failed integration, stop another,
// complete the manual task, close with an edited reply, and read every
// action in the history under the token's name. The page's labels are the
// API's word for word; a viewer sees no action and a forged POST with its
// cookie is refused, as is a POST without its CSRF token.
func TestConsole(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	addr := freeAddr(t)
	d := c.startDaemon(consoleConfig(t, c, addr))
	testbin.WaitServing(t, addr, d.log)
	base := "http://" + addr

	create := func(email string) string { return createRequest(t, c.bin, addr, "access", email) }
	create("bob@example.com")
	id := create("ada@example.com")

	b := &tab{t: t, ctx: testbrowser.New(t), base: base}
	run, open, text := b.run, b.open, b.text
	var page string
	b.signIn(opsToken)
	run("filter",
		chromedp.SetValue(chromedp.CSS("#f-email"), "ada@example.com"),
		chromedp.SetValue(chromedp.CSS("#f-stage"), "review"),
		chromedp.Click(chromedp.CSS("#f-apply")),
		// Only the filtered page renders the filter's value as an attribute.
		chromedp.WaitVisible(chromedp.CSS(`input#f-email[value="ada@example.com"]`)),
	)
	page = text("#requests")
	if !strings.Contains(page, id) {
		t.Fatalf("filtered list:\n%s\nwant %s", page, id)
	}
	if n := strings.Count(page, "access"); n != 1 {
		t.Fatalf("filtered list has %d requests, want 1:\n%s", n, page)
	}
	run("open and approve without analytics",
		chromedp.Click(chromedp.CSS("a.request-link")),
		chromedp.WaitVisible(chromedp.CSS("#approve")),
		chromedp.Click(chromedp.CSS(`input[name=source][value=analytics]`)),
		chromedp.Click(chromedp.CSS("#approve")),
		chromedp.WaitNotPresent(chromedp.CSS("#approve")),
	)
	reqURL := base + "/ui/requests/" + id
	rowLabel := func(name string) string {
		open(reqURL)
		return text(`tr[data-integration="` + name + `"] td.label`)
	}
	waitLabel := func(name, prefix string) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			got := rowLabel(name)
			if strings.HasPrefix(got, prefix) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s label %q, want %q…", name, got, prefix)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	waitLabel("flaky-a", "Error")
	waitLabel("flaky-b", "Error")
	errCell := text(`tr[data-integration="flaky-a"]`)
	if !strings.Contains(errCell, "HTTP 403") {
		t.Errorf("flaky-a row %q lacks the status code", errCell)
	}

	// The page shows exactly the API's label for every integration.
	var got struct {
		Request struct {
			Integrations []struct{ Name, Label string } `json:"integrations"`
		} `json:"request"`
	}
	if code := call(t, addr, opsToken, "dsrhost.admin.v1.RequestService/GetRequest", map[string]string{"id": id}, &got); code != 200 {
		t.Fatalf("GetRequest: %d", code)
	}
	open(reqURL)
	for _, it := range got.Request.Integrations {
		s := text(`tr[data-integration="` + it.Name + `"] td.label`)
		if s != it.Label {
			t.Errorf("%s: page label %q, API label %q", it.Name, s, it.Label)
		}
	}
	if len(got.Request.Integrations) < 3 {
		t.Fatalf("API lists %d integrations", len(got.Request.Integrations))
	}

	// Data inventory: integrations with process kind and health, manual
	// sources, and a test of one.
	open(base + "/ui/integrations")
	if h := text(`tr[data-integration="crm"] td.health`); h != "healthy" {
		t.Errorf("crm health %q", h)
	}
	if p := text(`tr[data-integration="paper-archive"] td.process`); p != "manual" {
		t.Errorf("paper-archive process %q", p)
	}
	run("test crm", chromedp.Click(chromedp.CSS(`tr[data-integration="crm"] button.act-test`)), chromedp.WaitVisible(chromedp.CSS("#test-result")))
	if r := text("#test-result"); r != "Test of crm: passed." {
		t.Errorf("test result %q", r)
	}

	// Viewer: no action controls; a forged action POST is refused.
	viewer := signIn(t, base, consoleViewer)
	vpage := get(t, viewer, reqURL)
	for _, control := range []string{`id="approve"`, "act-retry", "act-stop", "task-complete", `id="close"`} {
		if strings.Contains(vpage, control) {
			t.Errorf("viewer's page has %s", control)
		}
	}
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(vpage)[1]
	if code := post(t, viewer, reqURL+"/integrations/flaky-a/stop", url.Values{"csrf_token": {csrf}}); code != http.StatusForbidden {
		t.Errorf("viewer's forged stop: %d, want 403", code)
	}
	ops := signIn(t, base, opsToken)
	if code := post(t, ops, reqURL+"/integrations/flaky-a/stop", url.Values{}); code != http.StatusForbidden {
		t.Errorf("stop without CSRF token: %d, want 403", code)
	}
	if l := rowLabel("flaky-a"); !strings.HasPrefix(l, "Error") {
		t.Fatalf("a refused POST changed flaky-a to %q", l)
	}

	waitHistory := func(want string) { t.Helper(); b.waitHistory(reqURL, want) }
	run("retry flaky-a", chromedp.Click(chromedp.CSS(`tr[data-integration="flaky-a"] button.act-retry`)))
	waitHistory("ops operator.retry flaky-a")
	run("stop flaky-b", chromedp.Click(chromedp.CSS(`tr[data-integration="flaky-b"] button.act-stop`)))
	waitHistory("ops operator.stop flaky-b")
	waitLabel("flaky-a", "Error")
	// Only the actions the engine takes are offered: none on a Complete
	// integration, retry on one in Error.
	opsPage := get(t, ops, reqURL)
	for name, want := range map[string]string{"flaky-b": "", "flaky-a": "act-retry act-stop act-skip"} {
		row := regexp.MustCompile(`(?s)<tr data-integration="` + name + `">.*?</tr>`).FindString(opsPage)
		got := strings.Join(regexp.MustCompile(`act-[a-z]+`).FindAllString(row, -1), " ")
		if row == "" || got != want {
			t.Errorf("%s's row offers %q, want %q", name, got, want)
		}
	}
	run("skip flaky-a", chromedp.Click(chromedp.CSS(`tr[data-integration="flaky-a"] button.act-skip`)))
	waitHistory("ops operator.skip flaky-a")
	run("complete manual task",
		chromedp.SendKeys(chromedp.CSS(`li[data-task="paper-archive"] input.task-note`), "nothing on paper"),
		chromedp.Click(chromedp.CSS(`li[data-task="paper-archive"] button.task-complete`)),
		chromedp.WaitVisible(chromedp.CSS(`li[data-task="paper-archive"] .task-done`)),
	)
	deadline := time.Now().Add(90 * time.Second)
	for {
		open(reqURL)
		stage := text("#stage")
		if stage == "Reply" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stage %q, want Reply", stage)
		}
		time.Sleep(300 * time.Millisecond)
	}
	run("close with an edited reply",
		chromedp.SetValue(chromedp.CSS("#reply-subject"), "Your data, as promised"),
		chromedp.SetValue(chromedp.CSS("#reply-body"), "Dear subject, here it is. Edited by hand."),
		chromedp.Click(chromedp.CSS("#close")),
	)
	waitHistory("ops reply.sent")
	page = text("#stage")
	if page != "Closed" {
		t.Errorf("stage after close %q", page)
	}
	hist := text("#history")
	for _, line := range strings.Split(hist, "\n") {
		t.Log(line)
	}
	var h struct {
		Events []struct {
			Kind       string            `json:"kind"`
			Attributes map[string]string `json:"attributes"`
		} `json:"events"`
	}
	call(t, addr, opsToken, "dsrhost.admin.v1.RequestService/GetRequestHistory", map[string]string{"id": id}, &h)
	sent := false
	for _, ev := range h.Events {
		if ev.Kind == "reply.sent" && ev.Attributes["subject"] == "Your data, as promised" && strings.Contains(ev.Attributes["body"], "Edited by hand.") {
			sent = true
		}
	}
	if !sent {
		t.Errorf("history %+v lacks the edited reply", h.Events)
	}
	for _, want := range []string{"ops operator.approve", "ops operator.retry flaky-a", "ops operator.stop flaky-b", "ops operator.skip flaky-a", "ops manual.completed", "ops reply.sent"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(hist) {
			t.Errorf("history lacks %q", want)
		}
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// signIn is a cookie-keeping client signed in to the console with token.
func signIn(t *testing.T, base, token string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar}
	resp, err := cl.PostForm(base+"/ui/signin", url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `id="who"`) {
		t.Fatalf("sign in with %q: %d\n%s", token, resp.StatusCode, body)
	}
	return cl
}

func get(t *testing.T, cl *http.Client, u string) string {
	t.Helper()
	resp, err := cl.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func post(t *testing.T, cl *http.Client, u string, form url.Values) int {
	t.Helper()
	resp, err := cl.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
