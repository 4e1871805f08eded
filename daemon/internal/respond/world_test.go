package respond_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"github.com/hashicorp/go-hclog"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/daemon/internal/respond"
	"github.com/dsrhost/dsrhost/daemon/internal/respond/linktoken"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/examples/mailsink"
	"github.com/dsrhost/dsrhost/internal/testclock"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// world is what every end-to-end test shares: a real redis-server, the
// real directcontact plugin launched through the plugin host, and an
// in-process SMTP server that records what the plugin sends.
type world struct {
	rdb    redis.UniversalClient
	plugin *pluginhost.Plugin
	sink   *mailsink.Sink
	master []byte
}

func newWorld(t *testing.T) *world {
	t.Helper()
	rs := testredis.Start(t)
	sink, err := mailsink.Start("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	host := pluginhost.New(testLogger(t), pluginhost.Options{})
	t.Cleanup(host.Close)
	bin := sdktest.Build(t, "github.com/dsrhost/dsrhost/plugins/directcontact")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	p, err := host.Start(context.Background(), pluginhost.Spec{Name: "directcontact", Command: bin, SHA256: hex.EncodeToString(sum[:])})
	if err != nil {
		t.Fatalf("launch the directcontact plugin: %v", err)
	}
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	return &world{rdb: rs.Client, plugin: p, sink: sink, master: master}
}

func testLogger(t testing.TB) hclog.Logger {
	level := hclog.Warn
	if os.Getenv("DSRHOST_TEST_DEBUG") != "" {
		level = hclog.Debug
	}
	return hclog.New(&hclog.LoggerOptions{Name: t.Name(), Level: level, Output: os.Stderr})
}

const day = 24 * time.Hour

var seq atomic.Int64

// env is one daemon's worth of Direct Contact: an engine with one Direct
// Contact integration on the shared plugin, and the responder's page and
// Connect service on an HTTP server that is the links' public URL.
type env struct {
	t           *testing.T
	w           *world
	integration string
	to          string
	clock       *testclock.Clock
	engine      *engine.Engine
	responder   *respond.Responder
	signer      *linktoken.Signer
	srv         *httptest.Server
	// logs is what the responder logged, at trace level.
	logs *testlog.Buffer
	// prefix is the engine's key prefix in Redis.
	prefix string
	// handler serves srv; restart swaps it.
	handler atomic.Pointer[http.Handler]
	// start builds the engine and responder, again on restart.
	start func()
}

type envOptions struct {
	onNoResponse string
	limits       respond.Limits
	// dependsOn adds an integration this one depends on.
	dependsOn string
	// readTimeout is the HTTP server's, as the admin API server sets one.
	readTimeout time.Duration
}

// env configures a fresh integration on the plugin (its own recipient, so
// its emails are told apart) and starts an engine and server for it.
func (w *world) env(t *testing.T, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	n := seq.Add(1)
	e := &env{t: t, w: w, integration: fmt.Sprintf("acme-%d", n), to: fmt.Sprintf("privacy-%d@acme.example", n),
		clock: testclock.New(time.Now().UTC().Truncate(time.Second))}
	if o.onNoResponse == "" {
		o.onNoResponse = "block"
	}
	host, port, _ := strings.Cut(w.sink.Addr, ":")
	settings, _ := json.Marshal(map[string]any{
		"to": []string{e.to}, "from": "privacy@example.com",
		"due_in": "14d", "on_no_response": o.onNoResponse,
		"smtp": map[string]any{"host": host, "port": json.Number(port), "tls": "none"},
	})
	resp, err := w.plugin.Configure(ctx, &sdk.ConfigureRequest{Integration: e.integration, Settings: sdk.Settings(settings)})
	if err != nil {
		t.Fatalf("configure %s: %v", e.integration, err)
	}
	for _, d := range resp.Diagnostics {
		t.Fatalf("configure %s: %s: %s", e.integration, d.Summary, d.Detail)
	}
	desc := w.plugin.Describe()

	// The daemon's public URL is this server's, known once it listens.
	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { (*e.handler.Load()).ServeHTTP(rw, r) }))
	e.srv.Config.ReadTimeout = o.readTimeout
	e.srv.Config.WriteTimeout = o.readTimeout
	e.srv.Start()
	t.Cleanup(e.srv.Close)

	key, err := linktoken.DeriveKey(w.master)
	if err != nil {
		t.Fatal(err)
	}
	e.signer, err = linktoken.NewSigner(linktoken.Options{Key: key, PublicURL: e.srv.URL, Clock: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	sk, err := seal.NewKey(w.master)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := seal.NewKeyRing(sk)
	if err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("e2e%d", n)
	spec := engine.IntegrationSpec{
		Name: e.integration, Category: "Customer support", Type: desc.Type, Capabilities: desc.Capabilities,
		RetryInterval: time.Hour, MaxAttempts: 3, PollInterval: time.Hour, MaxWait: 60 * day,
		DirectContact: engine.DirectContactSpec{DueIn: 14 * day, OnNoResponse: engine.OnNoResponse(o.onNoResponse)},
	}
	cfg := engine.Config{}
	conns := map[string]sdk.Remote{e.integration: w.plugin.Connector()}
	if o.dependsOn != "" {
		spec.DependsOn = []string{o.dependsOn}
		cfg.Integrations = append(cfg.Integrations, engine.IntegrationSpec{Name: o.dependsOn, Category: "CRM",
			Type: sdk.SynchronousAPI, Capabilities: []sdk.Capability{sdk.CapabilityAccess}, MaxAttempts: 1})
		conns[o.dependsOn] = foundUserID{}
	}
	cfg.Integrations = append(cfg.Integrations, spec)
	e.prefix = prefix
	e.start = func() { e.startDaemon(cfg, conns, ring, o) }
	e.start()
	return e
}

// restart stops the engine and responder as a daemon stopping would, and
// starts new ones on the same Redis, keys and configuration.
func (e *env) restart() {
	e.t.Helper()
	e.srv.CloseClientConnections()
	e.engine.Shutdown()
	e.start()
}

func (e *env) startDaemon(cfg engine.Config, conns map[string]sdk.Remote, ring *seal.KeyRing, o envOptions) {
	t, w, prefix := e.t, e.w, e.prefix
	var err error
	e.engine, err = engine.New(w.rdb, cfg, engine.ConnectorsFunc(func(name string) (sdk.Remote, bool) {
		r, ok := conns[name]
		return r, ok
	}), engine.Options{
		Keys: ring, Prefix: prefix, Queue: prefix, Clock: e.clock.Now, Logger: testLogger(t),
		MinPollInterval: 10 * time.Millisecond, SchedulerInterval: 20 * time.Millisecond, IdleInterval: 10 * time.Millisecond,
		ReconcileInterval: -1, ShutdownTimeout: 2 * time.Second, CallTimeout: 30 * time.Second,
		ResponseURL: e.signer.ResponseURL,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.engine.Shutdown)
	if err := e.engine.Start(); err != nil {
		t.Fatal(err)
	}
	e.logs = &testlog.Buffer{}
	e.responder, err = respond.New(respond.Options{
		Engine: e.engine, Signer: e.signer, Clock: e.clock.Now, Limits: o.limits,
		Logger: hclog.New(&hclog.LoggerOptions{Level: hclog.Trace, Output: e.logs}),
		Ledger: linktoken.NewLedger(w.rdb, linktoken.LedgerOptions{Prefix: prefix, Clock: e.clock.Now}),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(linktoken.Path, e.responder.PageHandler())
	mux.Handle(e.responder.ConnectHandler())
	var h http.Handler = mux
	e.handler.Store(&h)
}

// foundUserID is a synchronous API connector that finds the subject's CRM
// id, which a Direct Contact integration depending on it passes on.
type foundUserID struct{}

func (foundUserID) Describe(context.Context) (*sdk.Description, error) {
	return &sdk.Description{}, nil
}
func (foundUserID) Configure(context.Context, *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	return &sdk.ConfigureResponse{}, nil
}
func (foundUserID) Access(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	return &sdk.AccessResponse{Records: []sdk.Record{{ID: "c1", Kind: "contact", Data: []byte(`{}`)}},
		Identifiers: map[string]string{"crm_id": "crm-77301"}}, nil
}
func (foundUserID) PollAccess(context.Context, *sdk.PollRequest) (*sdk.AccessResponse, error) {
	return nil, sdk.Errorf(sdk.ErrorInternal, "not asynchronous")
}
func (foundUserID) Delete(context.Context, *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	return nil, sdk.Errorf(sdk.ErrorInternal, "cannot delete")
}
func (foundUserID) PollDelete(context.Context, *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	return nil, sdk.Errorf(sdk.ErrorInternal, "cannot delete")
}

// subject is the data subject of every test request.
var subject = sdk.Subject{Email: "ada.lovelace@example.org", Phone: "+44 20 7946 0018", UserID: "user-1815",
	Identifiers: map[string]string{"loyalty_id": "LY-42"}}

// request files a request and approves it, so the integration runs.
func (e *env) request(rt sdk.RequestType) string {
	e.t.Helper()
	ctx := context.Background()
	r, err := e.engine.Create(ctx, engine.CreateInput{Type: rt, Subject: subject, Details: "please", Actor: "ops"})
	if err != nil {
		e.t.Fatalf("create: %v", err)
	}
	if _, err := e.engine.Approve(ctx, r.ID, "ops", nil); err != nil {
		e.t.Fatalf("approve: %v", err)
	}
	return r.ID
}

// workflow is where a request type's Direct Contact integration runs.
func workflow(rt sdk.RequestType) state.Workflow {
	if rt == sdk.RequestDeletion {
		return state.PendingDelete
	}
	return state.Extracting
}

// email waits for the processor's email about request id and returns it.
func (e *env) email(id string) mailsink.Email {
	e.t.Helper()
	var found mailsink.Email
	waitFor(e.t, "the processor's email", func() (bool, string) {
		for _, m := range e.w.sink.Emails() {
			if len(m.To) > 0 && m.To[0] == e.to && strings.Contains(m.Body, id) {
				found = m
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d emails, none to %s about %s", len(e.w.sink.Emails()), e.to, id)
	})
	return found
}

// link is the response link in the email about request id.
func (e *env) link(id string) string {
	e.t.Helper()
	m := e.email(id)
	for _, l := range m.Links {
		if strings.HasPrefix(l, e.srv.URL+linktoken.Path) {
			return l
		}
	}
	e.t.Fatalf("the email has no link below %s%s; links: %q", e.srv.URL, linktoken.Path, m.Links)
	return ""
}

// uploaded reads back, whole, the files uploaded for the integration on
// request id.
func (e *env) uploaded(id string) []sdk.File {
	e.t.Helper()
	ctx := context.Background()
	results, err := e.engine.Results(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var files []sdk.File
	for _, r := range results {
		if r.Integration != e.integration {
			continue
		}
		if len(r.Files) > 0 {
			e.t.Errorf("%d uploaded files held in the result, want them stored in chunks", len(r.Files))
		}
		for _, u := range r.Uploads {
			content, err := u.ReadAll(ctx)
			if err != nil {
				e.t.Fatal(err)
			}
			files = append(files, sdk.File{Name: u.Name, ContentType: u.ContentType, Content: content})
		}
	}
	return files
}

// state returns the integration's state on request id.
func (e *env) state(id string, w state.Workflow) engine.IntegrationState {
	e.t.Helper()
	r, err := e.engine.Get(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, it := range r.Integrations {
		if it.Name == e.integration && it.Workflow == w {
			return it
		}
	}
	e.t.Fatalf("request %s has no %s integration %s", id, w, e.integration)
	return engine.IntegrationState{}
}

func (e *env) waitLabel(id string, w state.Workflow, want string) {
	e.t.Helper()
	waitFor(e.t, fmt.Sprintf("%s to be %q", e.integration, want), func() (bool, string) {
		got := e.state(id, w).Label
		return got == want, got
	})
}

func (e *env) get(id string) *engine.Request {
	e.t.Helper()
	r, err := e.engine.Get(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// waitFor polls cond until it holds, failing after a minute; desc says
// what was last seen.
func waitFor(t testing.TB, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	last := ""
	for time.Now().Before(deadline) {
		ok, desc := cond()
		if ok {
			return
		}
		last = desc
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("gave up waiting for %s; last seen: %s", what, last)
}

// history returns the request's history entries of one kind.
func (e *env) history(id, kind string) []engine.Event {
	e.t.Helper()
	evs, err := e.engine.History(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []engine.Event
	for _, ev := range evs {
		if ev.Kind == kind && ev.Integration == e.integration {
			out = append(out, ev)
		}
	}
	return out
}

// limits are upload limits small enough to cross in a test.
func limits(files int, each, total int64) respond.Limits {
	return respond.Limits{MaxFiles: files, MaxFileBytes: each, MaxTotalBytes: total}
}
