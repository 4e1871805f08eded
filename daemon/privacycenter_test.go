package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/dsrhost/dsrhost/daemon/internal/privacycenter"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testbrowser"
	"github.com/dsrhost/dsrhost/examples/genericrest/demoapi"
	"github.com/dsrhost/dsrhost/examples/mailsink"
)

// privacyWorld is a daemon with its privacy center on a listener of its
// own, a demo CRM that knows the subject, and a real SMTP server that
// receives every email the daemon sends.
type privacyWorld struct {
	t       *testing.T
	c       *cluster
	api     string
	privacy string
	mails   chan mailsink.Email
	sinkAt  string
	crmAt   string
}

func newPrivacyWorld(t *testing.T) *privacyWorld {
	t.Helper()
	w := &privacyWorld{t: t, c: newCluster(t), api: freeAddr(t), privacy: freeAddr(t), mails: make(chan mailsink.Email, 20)}
	sink, err := mailsink.Start("127.0.0.1:0", func(m mailsink.Email) { w.mails <- m })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	w.sinkAt = sink.Addr
	crm := demoapi.NewCRM("crm-token", 50)
	crm.Add("ada@example.com", "Ada Lovelace")
	crm.Add("ada@example.com", "A. Lovelace (duplicate)")
	srv := httptest.NewServer(crm)
	t.Cleanup(srv.Close)
	w.crmAt = srv.Listener.Addr().String()
	return w
}

// config writes the daemon's configuration with the given verification
// method.
func (w *privacyWorld) config(method string) string {
	w.t.Helper()
	_, port, _ := net.SplitHostPort(w.sinkAt)
	src := fmt.Sprintf(`
server {
  listen = %[1]q
}
%[2]s
encryption_key = %[3]q
admin_token "ops" {
  sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  role   = "operator"
}
request_type "access" {
  deadline  = "1mo"
  extension = "2mo"
}
smtp {
  host = "127.0.0.1"
  port = %[4]s
  tls  = "none"
  from = "privacy@example.com"
}
privacy_center {
  listen       = %[5]q
  public_url   = "http://%[5]s"
  organisation = "Example Ltd"
  contact      = "dpo@example.com"
  request_type "access" {
    identifiers = ["phone"]
  }
  request_type "deletion" {}
  verification {
    method = %[6]q
  }
  download {
    max_uses = 1
  }
}
integration "demo-crm" {
  plugin   = "genericrest"
  category = "CRM"
  settings {
    base_url = "http://%[7]s/v1"
    auth {
      bearer {
        token = "crm-token"
      }
    }
    access {
      path         = "/contacts"
      query        = { email = "{{ .email }}" }
      records_path = "$.results[*]"
      record_kind  = "contact"
    }
    deletion {
      mode = "per_record"
      path = "/contacts/{{ .record.id }}"
    }
  }
}
`, w.api, w.c.redisBlock, testKey, port, w.privacy, method, w.crmAt)
	path := filepath.Join(w.c.dir, "privacy-"+method+".hcl")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		w.t.Fatal(err)
	}
	return path
}

func (w *privacyWorld) mail(what string) mailsink.Email {
	w.t.Helper()
	select {
	case m := <-w.mails:
		return m
	case <-time.After(30 * time.Second):
		w.t.Fatalf("no %s email arrived", what)
	}
	return mailsink.Email{}
}

func firstLink(t *testing.T, m mailsink.Email, part string) string {
	t.Helper()
	l, ok := m.Link(part)
	if !ok {
		t.Fatalf("no %s link in %q:\n%s", part, m.Subject, m.Body)
	}
	return l
}

// unlabelled lists the page's form controls a person cannot name: inputs
// other than hidden ones and buttons without a <label>.
const unlabelled = `Array.from(document.querySelectorAll("input, textarea, select"))
  .filter(e => e.type !== "hidden" && e.type !== "submit" && e.labels.length === 0)
  .map(e => e.name || e.id)`

func checkFormLabels(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	missing, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](unlabelled))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	if len(missing) > 0 {
		t.Errorf("%s: inputs without a label: %q", page, missing)
	}
}

// tabTo presses Tab until the element with id has the focus, failing
// after a few presses: the keyboard path through the page.
func tabTo(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	for range 12 {
		focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : ""`))
		if err != nil {
			t.Fatal(err)
		}
		if focused == id {
			return
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("Tab never reached #%s", id)
}

func typeKeys(t *testing.T, ctx context.Context, s string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(s)); err != nil {
		t.Fatal(err)
	}
}

func pressEnter(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
}

// readHeading reads the page's h1. While a form's answer is loading, the
// node found can belong to the page being left ("No node with given id
// found"), which is why waitHeading asks again instead of failing.
func readHeading(ctx context.Context) (string, error) {
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		return "", err
	}
	return chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
}

// waitHeading waits until the page's heading is want.
func waitHeading(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		h, err := readHeading(ctx)
		if err == nil && h == want {
			return
		} else if time.Now().After(deadline) {
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("heading %q (%v), want %q; page:\n%s", h, err, want, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fileByKeyboard fills in the access form with the keyboard only and
// sends it.
func fileByKeyboard(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/privacy/")); err != nil {
		t.Fatal(err)
	}
	waitHeading(t, ctx, "Your privacy requests")
	checkFormLabels(t, ctx, "home")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href="/privacy/request/access"]`))); err != nil {
		t.Fatal(err)
	}
	waitHeading(t, ctx, "Get a copy of my data")
	checkFormLabels(t, ctx, "access form")
	tabTo(t, ctx, "email")
	typeKeys(t, ctx, email)
	tabTo(t, ctx, "id-phone")
	typeKeys(t, ctx, "+44 7700 900123")
	tabTo(t, ctx, "details")
	typeKeys(t, ctx, "Everything you hold, please.")
	tabTo(t, ctx, "BUTTON")
	pressEnter(t, ctx)
	waitHeading(t, ctx, "Check your email")
	checkFormLabels(t, ctx, "check your email")
}

var refPattern = regexp.MustCompile(`^[0-9A-Z]{26}$`)

func pageReference(t *testing.T, ctx context.Context) string {
	t.Helper()
	ref, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#reference")))
	if err != nil {
		t.Fatal(err)
	}
	if !refPattern.MatchString(ref) {
		t.Fatalf("reference %q", ref)
	}
	return ref
}

// TestPrivacyCenterAccessRequest is the privacy center's acceptance: a
// subject files an access request in a browser, verifies it through the
// emailed link, an operator approves and closes it through the admin API,
// and the reply's download link returns the demo CRM's records once;
// over-used, forged and expired links are refused. The daemon then
// restarts with code verification, and a code verifies.
func TestPrivacyCenterAccessRequest(t *testing.T) {
	w := newPrivacyWorld(t)
	d := w.c.startDaemon(w.config("link"))
	testbin.WaitServing(t, w.api, d.log)
	base := "http://" + w.privacy
	ctx := testbrowser.New(t)

	fileByKeyboard(t, ctx, base, "ada@example.com")
	m := w.mail("verification")
	if m.To[0] != "ada@example.com" || m.Subject != "Confirm your privacy request" {
		t.Errorf("verification email %+v", m)
	}
	verify := firstLink(t, m, "/privacy/verify/")
	if !strings.HasPrefix(verify, base+"/privacy/verify/") {
		t.Fatalf("verification link %q is not under %s", verify, base)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(verify)); err != nil {
		t.Fatal(err)
	}
	waitHeading(t, ctx, "Confirm your request")
	checkFormLabels(t, ctx, "confirm")
	tabTo(t, ctx, "BUTTON")
	pressEnter(t, ctx)
	waitHeading(t, ctx, "Request confirmed")
	checkFormLabels(t, ctx, "confirmed")
	id := pageReference(t, ctx)
	status := firstLink(t, w.mail("confirmation"), "/privacy/status/")

	// The operator approves; the CRM finds the records; the operator closes.
	var got struct{ Request jsonRequest }
	if code := call(t, w.api, opsToken, "dsrhost.admin.v1.RequestService/GetRequest", map[string]string{"id": id}, &got); code != 200 || got.Request.Stage != "STAGE_REVIEW" {
		t.Fatalf("request %s: %d %+v", id, code, got.Request)
	}
	if code := call(t, w.api, opsToken, "dsrhost.admin.v1.RequestService/ApproveRequest", map[string]string{"id": id}, nil); code != 200 {
		t.Fatalf("approve: %d", code)
	}
	// More time is needed: the operator extends, the subject is told.
	before := got.Request.DueAt
	out := cli(t, w.c.bin, w.api, "request", "extend", id, "-reason", "Our CRM vendor is slow to answer")
	if !strings.Contains(out, "Extended request "+id) {
		t.Errorf("request extend printed:\n%s", out)
	}
	notice := w.mail("extension notice")
	if notice.Subject != "Your privacy request needs more time" || !strings.Contains(notice.Body, "Our CRM vendor is slow to answer") {
		t.Errorf("extension notice %q:\n%s", notice.Subject, notice.Body)
	}
	call(t, w.api, opsToken, "dsrhost.admin.v1.RequestService/GetRequest", map[string]string{"id": id}, &got)
	if b, a := parseTime(t, before), parseTime(t, got.Request.DueAt); !a.Equal(addMonths(b, 2)) {
		t.Errorf("due %s after extension, was %s: want two calendar months later", got.Request.DueAt, before)
	}
	waitFor(t, "Reply", func() bool {
		call(t, w.api, opsToken, "dsrhost.admin.v1.RequestService/GetRequest", map[string]string{"id": id}, &got)
		return got.Request.Stage == "STAGE_REPLY"
	})
	if code := call(t, w.api, opsToken, "dsrhost.admin.v1.RequestService/CloseRequest", map[string]string{"id": id}, nil); code != 200 {
		t.Fatalf("close: %d", code)
	}
	replyMail := w.mail("reply")
	download := firstLink(t, replyMail, "/privacy/download/")

	// The status page, in the browser: complete, with the reply.
	if err := chromedp.Do(ctx, chromedp.Navigate(status)); err != nil {
		t.Fatal(err)
	}
	waitHeading(t, ctx, "Your request")
	checkFormLabels(t, ctx, "status")
	if stage, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#stage"))); err != nil || stage != "Complete" {
		t.Errorf("status page stage %q (%v)", stage, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(download)); err != nil {
		t.Fatal(err)
	}
	waitHeading(t, ctx, "Your data")
	checkFormLabels(t, ctx, "download")

	zipped := downloadOnce(t, download)
	if status, _ := fetchDownload(t, download); status != http.StatusGone {
		t.Errorf("second download past the limit of 1: status %d, want 410", status)
	}
	checkArchive(t, zipped)
	forged := download[:len(download)-6] + "AAAAAA"
	if status, _ := fetchDownload(t, forged); status != http.StatusForbidden {
		t.Errorf("forged link: status %d, want 403", status)
	}
	if status, _ := fetchDownload(t, expiredLink(t, base, id)); status != http.StatusGone {
		t.Errorf("expired link: status %d, want 410", status)
	}
	var hist struct {
		Events []struct {
			Kind  string `json:"kind"`
			Actor string `json:"actor"`
		} `json:"events"`
	}
	call(t, w.api, opsToken, "dsrhost.admin.v1.RequestService/GetRequestHistory", map[string]string{"id": id}, &hist)
	downloads := 0
	for _, ev := range hist.Events {
		if ev.Kind == "privacy_center.download" {
			downloads++
		}
	}
	if downloads != 1 {
		t.Errorf("history records %d downloads, want 1: %+v", downloads, hist.Events)
	}

	// The daemon restarts with code verification; a code verifies.
	d.stop(syscall.SIGTERM)
	d = w.c.startDaemon(w.config("code"))
	testbin.WaitServing(t, w.api, d.log)
	fileByKeyboard(t, ctx, base, "grace@example.org")
	code := regexp.MustCompile(`(?m)^\s+(\d{6})$`).FindStringSubmatch(w.mail("code").Body)
	if code == nil {
		t.Fatal("no code in the email")
	}
	checkFormLabels(t, ctx, "code entry")
	tabTo(t, ctx, "code")
	typeKeys(t, ctx, code[1])
	pressEnter(t, ctx)
	waitHeading(t, ctx, "Request confirmed")
	if ref := pageReference(t, ctx); ref == id {
		t.Errorf("the code verified the first request again")
	}

	// The authorized agent's form: every field labelled, reachable by Tab.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/privacy/agent/access")); err != nil {
		t.Fatal(err)
	}
	waitHeading(t, ctx, "Get a copy of my data for someone else")
	checkFormLabels(t, ctx, "agent form")
	for _, id := range []string{"agent_name", "agent_email", "permission", "email", "id-phone", "details", "BUTTON"} {
		tabTo(t, ctx, id)
	}
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}

// addMonths is t plus n calendar months, on the month's last day when it
// has no such day.
func addMonths(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	return first.AddDate(0, 0, min(t.Day(), first.AddDate(0, 1, -1).Day())-1)
}

// fetchDownload opens a download link as a browser does (the page, then
// its form) and returns the status and body of the last step.
func fetchDownload(t *testing.T, link string) (int, []byte) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute}
	res, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, body
	}
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no form on the download page:\n%s", body)
	}
	res, err = c.PostForm(link, url.Values{"csrf_token": {html.UnescapeString(string(m[1]))}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ = io.ReadAll(res.Body)
	return res.StatusCode, body
}

func downloadOnce(t *testing.T, link string) []byte {
	t.Helper()
	status, body := fetchDownload(t, link)
	if status != http.StatusOK {
		t.Fatalf("download: status %d:\n%s", status, body)
	}
	return body
}

// checkArchive checks the zip holds the demo CRM's records and a readable
// index.
func checkArchive(t *testing.T, b []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		c, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(c)
	}
	crm := files["integrations/demo-crm.json"]
	if !strings.Contains(crm, "Ada Lovelace") || !strings.Contains(crm, "A. Lovelace (duplicate)") {
		t.Errorf("integrations/demo-crm.json:\n%s", crm)
	}
	if idx := files["index.txt"]; !strings.Contains(idx, "Example Ltd") || !strings.Contains(idx, "demo-crm: 2 records") {
		t.Errorf("index.txt:\n%s", idx)
	}
}

// expiredLink is a genuine download link (sealed under the daemon's key)
// whose time is over.
func expiredLink(t *testing.T, base, id string) string {
	t.Helper()
	key, err := seal.ParseKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := seal.NewKeyRing(key)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := privacycenter.NewTokens(ring).Make(privacycenter.Claims{Kind: "download", RequestID: id, ExpiresAt: time.Now().Add(-time.Minute), Nonce: "expired"})
	if err != nil {
		t.Fatal(err)
	}
	return base + "/privacy/download/" + tok
}

// submitForm loads the form at page and sends it with fields, as a
// browser does, returning the response's status.
func submitForm(t *testing.T, page string, fields url.Values) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no form at %s (%d):\n%s", page, res.StatusCode, body)
	}
	fields.Set("csrf_token", html.UnescapeString(string(m[1])))
	res, err = c.PostForm(page, fields)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
