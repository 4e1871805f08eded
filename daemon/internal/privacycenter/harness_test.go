package privacycenter_test

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/privacycenter"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/examples/mailsink"
	"github.com/dsrhost/dsrhost/internal/testclock"
	"github.com/dsrhost/dsrhost/sdk"
)

// harness is one daemon's privacy center over a real redis-server, a real
// engine and a real SMTP server (the mail sink) that receives its emails.
type harness struct {
	t      *testing.T
	rdb    redis.UniversalClient
	sink   *mailsink.Sink
	mails  chan mailsink.Email
	clock  *testclock.Clock
	keys   *seal.KeyRing
	engine *engine.Engine
	cfg    *config.PrivacyCenter
	center *privacycenter.Center
	srv    *httptest.Server
	client *http.Client
	mailer *reply.Mailer
	prefix string
	// metrics, when set before newCenter, counts what subjects do.
	metrics privacycenter.Metrics
}

func keyRing(t *testing.T) *seal.KeyRing {
	t.Helper()
	k, err := seal.NewKey([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := seal.NewKeyRing(k)
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

func newHarness(t *testing.T, tune func(*config.PrivacyCenter)) *harness {
	t.Helper()
	return newHarnessOn(t, testredis.Start(t).Client, tune)
}

// newHarnessOn is newHarness over a Redis the test started.
func newHarnessOn(t *testing.T, rdb redis.UniversalClient, tune func(*config.PrivacyCenter)) *harness {
	t.Helper()
	h := &harness{t: t, rdb: rdb, mails: make(chan mailsink.Email, 20),
		clock: testclock.New(time.Now().UTC().Truncate(time.Second)), keys: keyRing(t), prefix: "pc"}
	var err error
	h.sink, err = mailsink.Start("127.0.0.1:0", func(e mailsink.Email) { h.mails <- e })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.sink.Close() })
	host, port, _ := net.SplitHostPort(h.sink.Addr)
	p, _ := strconv.Atoi(port)
	h.mailer, err = reply.New(config.SMTP{Host: host, Port: p, From: "privacy@example.com", TLS: config.SMTPNoTLS}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.engine, err = engine.New(h.rdb, engine.Config{}, engine.ConnectorsFunc(nil), engine.Options{
		Keys: h.keys, Prefix: h.prefix, Queue: h.prefix, Clock: h.clock.Now, ReconcileInterval: -1,
		ResultsRetention: 30 * 24 * time.Hour, Logger: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.engine.Shutdown)

	h.cfg = config.DefaultPrivacyCenter()
	h.cfg.Enabled, h.cfg.Organisation, h.cfg.Contact = true, "Example Ltd", "dpo@example.com"
	h.cfg.Offers("access").Identifiers = []string{"phone", "customer_number"}
	if tune != nil {
		tune(h.cfg)
	}
	var handler http.Handler = http.NotFoundHandler()
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(h.srv.Close)
	h.cfg.PublicURL = h.srv.URL
	h.center = h.newCenter(h.rdb)
	handler = h.center.Handler()
	h.client = newClient(t)
	return h
}

// newCenter is another daemon's privacy center over rdb and the same
// configuration, engine and keys.
func (h *harness) newCenter(rdb redis.UniversalClient) *privacycenter.Center {
	h.t.Helper()
	c, err := privacycenter.New(privacycenter.Options{
		Config: h.cfg, Engine: h.engine, Keys: h.keys, Redis: rdb, Prefix: h.prefix, Mailer: h.mailer,
		ResultsRetention: 30 * 24 * time.Hour, Clock: h.clock.Now, Logger: testLogger(h.t), Metrics: h.metrics,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

func testLogger(t testing.TB) hclog.Logger {
	level := hclog.Warn
	if os.Getenv("DSRHOST_TEST_DEBUG") != "" {
		level = hclog.Debug
	}
	return hclog.New(&hclog.LoggerOptions{Name: t.Name(), Level: level, Output: os.Stderr})
}

// newClient is a browser-like client: it keeps cookies and does not
// follow redirects, so tests see them.
func newClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// response is a page as the test reads it.
type response struct {
	status int
	header http.Header
	body   string
}

func (h *harness) do(c *http.Client, method, target string, form url.Values) response {
	h.t.Helper()
	if !strings.HasPrefix(target, "http") {
		target = h.srv.URL + target
	}
	req, err := http.NewRequest(method, target, strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (h *harness) get(target string) response { return h.do(h.client, http.MethodGet, target, nil) }

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// post sends a form as the page at page would: with its CSRF token.
func (h *harness) post(page, action string, form url.Values) response {
	h.t.Helper()
	return h.postToken(h.token(page), action, form)
}

// token is the CSRF token of the form on page.
func (h *harness) token(page string) string {
	h.t.Helper()
	r := h.get(page)
	m := csrfField.FindStringSubmatch(r.body)
	if m == nil {
		h.t.Fatalf("no CSRF token on %s (%d):\n%s", page, r.status, r.body)
	}
	return html.UnescapeString(m[1])
}

// postToken sends a form with the given CSRF token.
func (h *harness) postToken(token, action string, form url.Values) response {
	h.t.Helper()
	form.Set("csrf_token", token)
	return h.do(h.client, http.MethodPost, action, form)
}

// submit files the form for rt and returns the pending submission's
// verify page and the verification email.
func (h *harness) submit(rt string, form url.Values) (string, mailsink.Email) {
	h.t.Helper()
	r := h.post("/privacy/request/"+rt, "/privacy/request/"+rt, form)
	if r.status != http.StatusSeeOther {
		h.t.Fatalf("submit: status %d:\n%s", r.status, r.body)
	}
	return r.header.Get("Location"), h.mail()
}

func (h *harness) mail() mailsink.Email {
	h.t.Helper()
	select {
	case m := <-h.mails:
		return m
	case <-time.After(20 * time.Second):
		h.t.Fatal("no email arrived")
	}
	return mailsink.Email{}
}

var codePattern = regexp.MustCompile(`(?m)^\s+(\d{6})$`)

func code(t *testing.T, m mailsink.Email) string {
	t.Helper()
	c := codePattern.FindStringSubmatch(m.Body)
	if c == nil {
		t.Fatalf("no code in the email:\n%s", m.Body)
	}
	return c[1]
}

func link(t *testing.T, m mailsink.Email, part string) string {
	t.Helper()
	l, ok := m.Link(part)
	if !ok {
		t.Fatalf("no %s link in the email: %q\n%s", part, m.Links, m.Body)
	}
	return l
}

var referencePattern = regexp.MustCompile(`id="reference">([0-9A-Z]{26})<`)

func reference(t *testing.T, r response) string {
	t.Helper()
	m := referencePattern.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no reference on the page (%d):\n%s", r.status, r.body)
	}
	return m[1]
}

func ctx() context.Context { return context.Background() }

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func wantStatus(t *testing.T, what string, r response, status int, text string) {
	t.Helper()
	if r.status != status || !strings.Contains(r.body, text) {
		t.Errorf("%s: status %d, want %d with %q:\n%s", what, r.status, status, text, r.body)
	}
}

func engineFilterEmail(email string) engine.Filter { return engine.Filter{Email: email} }

func subject(email string) sdk.Subject { return sdk.Subject{Email: email} }
