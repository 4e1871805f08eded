package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/console"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/internal/testclock"
	"github.com/dsrhost/dsrhost/sdk"
)

// world is a console over a real engine on a durable redis-server.
type world struct {
	t      *testing.T
	redis  *testredis.Durable
	rdb    *redis.Client
	clock  *testclock.Clock
	engine *engine.Engine
	srv    *httptest.Server
}

const (
	opsToken    = "ops-token"
	viewerToken = "viewer-token"
)

func newWorld(t *testing.T, idle time.Duration) *world {
	t.Helper()
	w := &world{t: t, redis: testredis.StartDurable(t), clock: testclock.New(time.Now().UTC().Truncate(time.Second))}
	// A client of our own reconnects to the same address across restarts.
	w.rdb = redis.NewClient(&redis.Options{Addr: w.redis.Addr, MaxRetries: -1})
	t.Cleanup(func() { _ = w.rdb.Close() })
	k, err := seal.NewKey([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := seal.NewKeyRing(k)
	if err != nil {
		t.Fatal(err)
	}
	log := hclog.New(&hclog.LoggerOptions{Name: t.Name(), Level: hclog.Warn, Output: os.Stderr})
	w.engine, err = engine.New(w.rdb, engine.Config{RequestTypes: map[sdk.RequestType]engine.RequestTypeSpec{
		sdk.RequestAccess: {Deadline: 45 * 24 * time.Hour, Extension: 45 * 24 * time.Hour},
	}}, engine.ConnectorsFunc(nil), engine.Options{
		Keys: ring, Prefix: "ui", Queue: "ui", Clock: w.clock.Now, ReconcileInterval: -1, Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.engine.Shutdown)
	tokens, err := auth.NewTokens(map[string]*config.AdminToken{
		"ops":     {Name: "ops", SHA256: auth.Hash(opsToken), Role: config.RoleOperator},
		"auditor": {Name: "auditor", SHA256: auth.Hash(viewerToken), Role: config.RoleViewer},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := console.New(console.Options{Engine: w.engine, Tokens: tokens, Redis: w.rdb, Keys: ring, Prefix: "ui",
		IdleTimeout: idle, AbsoluteTimeout: 12 * time.Hour, Clock: w.clock.Now, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Path, c.Handler())
	w.srv = httptest.NewServer(mux)
	t.Cleanup(w.srv.Close)
	return w
}

func (w *world) create(email string) string {
	w.t.Helper()
	r, err := w.engine.Create(context.Background(), engine.CreateInput{Type: sdk.RequestAccess, Subject: sdk.Subject{Email: email}, Actor: "ops"})
	if err != nil {
		w.t.Fatal(err)
	}
	return r.ID
}

// browser is a cookie-keeping client that does not follow redirects, so
// each answer can be read.
type browser struct {
	t  *testing.T
	cl *http.Client
}

func (w *world) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: w.t, cl: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.cl.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

func (b *browser) signIn(base, token string) *http.Response {
	b.t.Helper()
	resp, _ := b.do("POST", base+"/ui/signin", url.Values{"token": {token}})
	return resp
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func TestSessionCookieAndStorage(t *testing.T) {
	w := newWorld(t, 0)
	b := w.browser()
	if resp, body := b.do("POST", w.srv.URL+"/ui/signin", url.Values{"token": {"wrong"}}); resp.StatusCode != 401 || !strings.Contains(body, "not one of this daemon") {
		t.Fatalf("wrong token: %d %s", resp.StatusCode, body)
	}
	resp := b.signIn(w.srv.URL, opsToken)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "dsrhost_ui" {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/ui/" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/ui/", ck)
	}
	// Redis holds a hash of the session id, never the id.
	dump := string(testredis.Dump(t, w.rdb))
	if strings.Contains(dump, ck.Value) {
		t.Error("the session id is stored in Redis as it is")
	}
	if !strings.Contains(dump, "ui:ui:session:") {
		t.Errorf("no session stored:\n%s", dump)
	}
	resp, body := b.do("GET", w.srv.URL+"/ui/", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="who">ops<`) {
		t.Fatalf("list: %d\n%s", resp.StatusCode, body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(body, "<script>") {
		t.Error("inline script allowed or present")
	}
	// Sign out ends the session in Redis too.
	token := csrfField.FindStringSubmatch(body)[1]
	if resp, _ := b.do("POST", w.srv.URL+"/ui/signout", url.Values{"csrf_token": {token}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	if strings.Contains(string(testredis.Dump(t, w.rdb)), "ui:ui:session:") {
		t.Error("session still stored after sign out")
	}
	if resp, _ := b.do("GET", w.srv.URL+"/ui/", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after sign out: %d, want a redirect to sign in", resp.StatusCode)
	}
}

func TestExpiredSessionSignsInAgain(t *testing.T) {
	tests := []struct {
		name string
		idle time.Duration
		wait func(w *world)
	}{
		{"absolute", time.Hour, func(w *world) { w.clock.Advance(12*time.Hour + time.Second) }},
		{"idle", time.Second, func(*world) { time.Sleep(2500 * time.Millisecond) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, tt.idle)
			b := w.browser()
			b.signIn(w.srv.URL, opsToken)
			if resp, _ := b.do("GET", w.srv.URL+"/ui/", nil); resp.StatusCode != 200 {
				t.Fatalf("signed in: %d", resp.StatusCode)
			}
			tt.wait(w)
			resp, _ := b.do("GET", w.srv.URL+"/ui/", nil)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/signin?expired=1" {
				t.Fatalf("expired session: %d %q, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
			}
			_, body := b.do("GET", w.srv.URL+"/ui/signin?expired=1", nil)
			if !strings.Contains(body, "Your session has ended") {
				t.Errorf("sign-in page does not say the session ended:\n%s", body)
			}
		})
	}
}

// TestRedisRestart: with Redis down pages answer "unavailable" (no panic,
// nothing changed); once it is back the same session goes on.
func TestRedisRestart(t *testing.T) {
	w := newWorld(t, 0)
	id := w.create("ada@example.com")
	b := w.browser()
	b.signIn(w.srv.URL, opsToken)
	w.redis.Stop()
	for _, path := range []string{"/ui/", "/ui/requests/" + id} {
		resp, body := b.do("GET", w.srv.URL+path, nil)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "cannot reach its storage") {
			t.Errorf("%s with Redis down: %d\n%s", path, resp.StatusCode, body)
		}
	}
	w.redis.Restart(t)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, body := b.do("GET", w.srv.URL+"/ui/requests/"+id, nil)
		if resp.StatusCode == 200 && strings.Contains(body, `id="who">ops<`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: %d\n%s", resp.StatusCode, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestRevealIsRecorded: the email is masked until revealed, and a reveal
// is in the history under the token's name, viewer or not.
func TestRevealIsRecorded(t *testing.T) {
	w := newWorld(t, 0)
	id := w.create("ada.lovelace@example.com")
	b := w.browser()
	b.signIn(w.srv.URL, viewerToken)
	u := w.srv.URL + "/ui/requests/" + id
	_, body := b.do("GET", u, nil)
	if strings.Contains(body, "ada.lovelace@") || !strings.Contains(body, "a•••@example.com") {
		t.Fatalf("email not masked:\n%s", body)
	}
	if strings.Contains(body, `id="approve"`) {
		t.Error("a viewer's page offers to approve")
	}
	if resp, _ := b.do("POST", u+"/reveal", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("reveal without CSRF token: %d, want 403", resp.StatusCode)
	}
	token := csrfField.FindStringSubmatch(body)[1]
	resp, body := b.do("POST", u+"/reveal", url.Values{"csrf_token": {token}})
	if resp.StatusCode != 200 || !strings.Contains(body, "ada.lovelace@example.com") {
		t.Fatalf("reveal: %d\n%s", resp.StatusCode, body)
	}
	hist, err := w.engine.History(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Kind != console.EventReveal || last.Actor != "auditor" {
		t.Errorf("last history entry %+v, want a reveal by auditor", last)
	}
	if resp, _ := b.do("POST", u+"/approve", url.Values{"csrf_token": {token}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer's approve: %d, want 403", resp.StatusCode)
	}
}

func TestListFilters(t *testing.T) {
	w := newWorld(t, 0)
	ada := w.create("ada@example.com")
	bob := w.create("bob@example.com")
	b := w.browser()
	b.signIn(w.srv.URL, opsToken)
	tests := []struct {
		query     string
		status    int
		want, not []string
	}{
		{"", 200, []string{ada, bob}, nil},
		{"email=ada%40example.com", 200, []string{ada}, []string{bob}},
		{"stage=closed", 200, []string{"No request matches"}, []string{ada, bob}},
		{"due_before=tomorrow", 400, []string{"Due before: give a date as YYYY-MM-DD."}, nil},
		{"stage=nowhere", 400, []string{"Stage: choose"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := b.do("GET", w.srv.URL+"/ui/?"+tt.query, nil)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(body, s) {
					t.Errorf("page has %q", s)
				}
			}
		})
	}
}

// TestExtend moves the due date once, through the engine's Extend, with
// the operator's reason and name in the history; a second is refused.
func TestExtend(t *testing.T) {
	w := newWorld(t, 0)
	id := w.create("ada@example.com")
	before, _ := w.engine.Get(context.Background(), id)
	b := w.browser()
	b.signIn(w.srv.URL, opsToken)
	u := w.srv.URL + "/ui/requests/" + id
	_, body := b.do("GET", u, nil)
	token := csrfField.FindStringSubmatch(body)[1]
	if resp, body := b.do("POST", u+"/extend", url.Values{"csrf_token": {token}}); resp.StatusCode != 400 || !strings.Contains(body, "Reason:") {
		t.Errorf("extend without a reason: %d", resp.StatusCode)
	}
	if resp, _ := b.do("POST", u+"/extend", url.Values{"csrf_token": {token}, "reason": {"the archive is offsite"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("extend: %d", resp.StatusCode)
	}
	after, _ := w.engine.Get(context.Background(), id)
	if !after.DueAt.Equal(before.DueAt.Add(45 * 24 * time.Hour)) {
		t.Errorf("due %v, want %v", after.DueAt, before.DueAt.Add(45*24*time.Hour))
	}
	hist, _ := w.engine.History(context.Background(), id)
	last := hist[len(hist)-1]
	if last.Kind != engine.EventExtend || last.Actor != "ops" {
		t.Errorf("last history entry %+v, want an extension by ops", last)
	}
	if resp, _ := b.do("POST", u+"/extend", url.Values{"csrf_token": {token}, "reason": {"again"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("second extension: %d, want 409", resp.StatusCode)
	}
}
