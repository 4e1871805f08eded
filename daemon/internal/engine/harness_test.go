package engine

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/internal/testclock"
	"github.com/dsrhost/dsrhost/sdk"
)

// fake is an in-test connector: a struct of function fields, nil ones
// failing as not implemented.
type fake struct {
	access     func(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error)
	pollAccess func(ctx context.Context, req *sdk.PollRequest) (*sdk.AccessResponse, error)
	delete     func(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error)
	pollDelete func(ctx context.Context, req *sdk.PollRequest) (*sdk.DeleteResponse, error)
	calls      atomic.Int64
}

var _ sdk.Remote = (*fake)(nil)

func notImplemented() error { return sdk.Errorf(sdk.ErrorInvalidConfig, "not implemented") }

func (f *fake) Describe(context.Context) (*sdk.Description, error) { return &sdk.Description{}, nil }
func (f *fake) Configure(context.Context, *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	return &sdk.ConfigureResponse{}, nil
}
func (f *fake) Access(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	f.calls.Add(1)
	if f.access == nil {
		return nil, notImplemented()
	}
	return f.access(ctx, req)
}
func (f *fake) PollAccess(ctx context.Context, req *sdk.PollRequest) (*sdk.AccessResponse, error) {
	f.calls.Add(1)
	if f.pollAccess == nil {
		return nil, notImplemented()
	}
	return f.pollAccess(ctx, req)
}
func (f *fake) Delete(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	f.calls.Add(1)
	if f.delete == nil {
		return nil, notImplemented()
	}
	return f.delete(ctx, req)
}
func (f *fake) PollDelete(ctx context.Context, req *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	f.calls.Add(1)
	if f.pollDelete == nil {
		return nil, notImplemented()
	}
	return f.pollDelete(ctx, req)
}

// Common fake answers.
func records(n int) *sdk.AccessResponse {
	out := &sdk.AccessResponse{}
	for i := range n {
		out.Records = append(out.Records, sdk.Record{ID: fmt.Sprintf("r%d", i), Kind: "contact", Data: []byte(`{"secret":"record-value-` + fmt.Sprint(i) + `"}`)})
	}
	return out
}

func pendingAccess(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "h"}}, nil
}
func stillPendingAccess(context.Context, *sdk.PollRequest) (*sdk.AccessResponse, error) {
	return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "h"}}, nil
}
func pendingDelete(context.Context, *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	return &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: "h"}}, nil
}
func stillPendingDelete(context.Context, *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	return &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: "h"}}, nil
}

func newClock() *testclock.Clock {
	return testclock.New(time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC))
}

func testKeys(t testing.TB) *seal.KeyRing {
	t.Helper()
	secret := make([]byte, seal.KeySize)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	k, err := seal.NewKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := seal.NewKeyRing(k)
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

var prefixSeq atomic.Int64

// harness is an engine (or several sharing Redis) with fakes and a clock.
type harness struct {
	t       testing.TB
	rdb     redis.UniversalClient
	clock   *testclock.Clock
	keys    *seal.KeyRing
	prefix  string
	mu      sync.Mutex
	remotes map[string]sdk.Remote
	engines []*Engine
	// ready answers Readiness; nil: every plugin is up.
	ready func(name string) (bool, time.Time, error)
}

// newHarness builds n engines (default 1) on rdb sharing one key prefix
// and queue, not yet started.
func newHarness(t testing.TB, rdb redis.UniversalClient, cfg Config, remotes map[string]sdk.Remote, n int, tune ...func(*Options)) *harness {
	t.Helper()
	h := &harness{t: t, rdb: rdb, clock: newClock(), keys: testKeys(t), remotes: remotes,
		prefix: fmt.Sprintf("t%d", prefixSeq.Add(1))}
	for range max(n, 1) {
		opts := Options{
			Keys: h.keys, Prefix: h.prefix, Queue: h.prefix, Clock: h.clock.Now,
			Logger:            testLogger(t),
			Concurrency:       8,
			MinPollInterval:   10 * time.Millisecond,
			SchedulerInterval: 20 * time.Millisecond,
			IdleInterval:      10 * time.Millisecond,
			ReconcileInterval: -1,
			ShutdownTimeout:   2 * time.Second,
			CallTimeout:       20 * time.Second,
			Transient:         TransientPolicy{Initial: 50 * time.Millisecond, Max: time.Second},
		}
		for _, f := range tune {
			f(&opts)
		}
		e, err := New(rdb, cfg, harnessConns{h}, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.Shutdown)
		h.engines = append(h.engines, e)
	}
	return h
}

func testLogger(t testing.TB) hclog.Logger {
	level := hclog.Warn
	if os.Getenv("DSRHOST_TEST_DEBUG") != "" {
		level = hclog.Debug
	}
	return hclog.New(&hclog.LoggerOptions{Name: t.Name(), Level: level, Output: os.Stderr})
}

func (h *harness) connector(name string) (sdk.Remote, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.remotes[name]
	return r, ok
}

// harnessConns are the harness's connectors, ready unless the test set
// h.ready.
type harnessConns struct{ h *harness }

func (c harnessConns) Connector(name string) (sdk.Remote, bool) { return c.h.connector(name) }

func (c harnessConns) Ready(name string) (bool, time.Time, error) {
	c.h.mu.Lock()
	ready := c.h.ready
	c.h.mu.Unlock()
	if ready == nil {
		return true, time.Time{}, nil
	}
	return ready(name)
}

func (h *harness) setReady(f func(name string) (bool, time.Time, error)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ready = f
}

func (h *harness) e() *Engine { return h.engines[0] }

func (h *harness) start() *harness {
	h.t.Helper()
	for _, e := range h.engines {
		if err := e.Start(); err != nil {
			h.t.Fatal(err)
		}
	}
	return h
}

func (h *harness) create(rt sdk.RequestType, email string) string {
	h.t.Helper()
	r, err := h.e().Create(context.Background(), CreateInput{Type: rt, Subject: sdk.Subject{Email: email}, Details: "details from " + email, Actor: "ops"})
	if err != nil {
		h.t.Fatalf("create: %v", err)
	}
	return r.ID
}

// createAccess files n access requests, of subjects s0@ to s<n-1>@.
func (h *harness) createAccess(n int) []string {
	h.t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = h.create(sdk.RequestAccess, fmt.Sprintf("s%d@example.com", i))
	}
	return ids
}

// waitLabels waits until integration name of each request shows label.
func (h *harness) waitLabels(ids []string, name, label string) {
	h.t.Helper()
	for _, id := range ids {
		h.waitLabel(id, state.Extracting, name, label)
	}
}

func (h *harness) approve(id string, sources ...string) {
	h.t.Helper()
	if _, err := h.e().Approve(context.Background(), id, "ops", sources); err != nil {
		h.t.Fatalf("approve: %v", err)
	}
}

func (h *harness) get(id string) *Request {
	h.t.Helper()
	r, err := h.e().Get(context.Background(), id)
	if err != nil {
		h.t.Fatalf("get: %v", err)
	}
	return r
}

func integration(r *Request, w state.Workflow, name string) *IntegrationState {
	for i := range r.Integrations {
		if r.Integrations[i].Workflow == w && r.Integrations[i].Name == name {
			return &r.Integrations[i]
		}
	}
	return nil
}

func (h *harness) label(id string, w state.Workflow, name string) string {
	if it := integration(h.get(id), w, name); it != nil {
		return it.Label
	}
	return "(absent)"
}

// waitFor polls cond until it holds or the deadline passes; desc says
// what was last seen.
func waitFor(t testing.TB, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		ok, desc := cond()
		if ok {
			return
		}
		last = desc
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last seen: %s", what, last)
}

func (h *harness) waitLabel(id string, w state.Workflow, name, want string) {
	h.t.Helper()
	waitFor(h.t, fmt.Sprintf("%s %s to be %q", w, name, want), func() (bool, string) {
		got := h.label(id, w, name)
		return got == want, got
	})
}

func (h *harness) waitStage(id string, want state.Stage) {
	h.t.Helper()
	waitFor(h.t, "stage "+want.String(), func() (bool, string) {
		r := h.get(id)
		return r.Stage == want, r.Stage.String()
	})
}

// history returns the kinds of a request's history entries.
func (h *harness) history(id string) []Event {
	h.t.Helper()
	evs, err := h.e().History(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return evs
}
