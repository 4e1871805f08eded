// Package reporttest drives a real engine, on a durable redis-server and
// a controlled clock, through requests with known outcomes, so that the
// report's surfaces (API, CLI, console) can each be checked against the
// same expected rows.
package reporttest

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/report"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/internal/testclock"
	"github.com/dsrhost/dsrhost/sdk"
)

// World is a running engine over a durable redis-server.
type World struct {
	Redis  *testredis.Durable
	RDB    *redis.Client
	Engine *engine.Engine
	Clock  *testclock.Clock
	// Keys seal the world's personal data (the console derives its CSRF
	// key from them).
	Keys *seal.KeyRing
}

// crm finds a record for every subject but those whose email starts with
// "fail", for whom it answers a permanent auth error.
type crm struct{}

func (crm) Describe(context.Context) (*sdk.Description, error) { return &sdk.Description{}, nil }
func (crm) Configure(context.Context, *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	return &sdk.ConfigureResponse{}, nil
}
func (crm) Access(_ context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	if strings.HasPrefix(req.Job.Subject.Email, "fail") {
		return nil, sdk.Errorf(sdk.ErrorAuth, "unauthorized")
	}
	return &sdk.AccessResponse{Records: []sdk.Record{{ID: "c-1", Kind: "contact", Data: []byte(`{}`)}}}, nil
}
func (crm) PollAccess(context.Context, *sdk.PollRequest) (*sdk.AccessResponse, error) {
	return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "not implemented")
}
func (crm) Delete(context.Context, *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	return &sdk.DeleteResponse{}, nil
}
func (crm) PollDelete(context.Context, *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "not implemented")
}

// Start runs a World; it stops with the test.
func Start(t *testing.T) *World {
	t.Helper()
	w := &World{Redis: testredis.StartDurable(t), Clock: testclock.New(time.Date(2024, 12, 1, 9, 0, 0, 0, time.UTC))}
	w.RDB = redis.NewClient(&redis.Options{Addr: w.Redis.Addr, MaxRetries: -1})
	t.Cleanup(func() { _ = w.RDB.Close() })
	secret := make([]byte, seal.KeySize)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	key, err := seal.NewKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	if w.Keys, err = seal.NewKeyRing(key); err != nil {
		t.Fatal(err)
	}
	w.startEngine(t)
	return w
}

func (w *World) startEngine(t *testing.T) {
	t.Helper()
	spec := engine.RequestTypeSpec{Deadline: 45 * 24 * time.Hour}
	cfg := engine.Config{
		RequestTypes: map[sdk.RequestType]engine.RequestTypeSpec{sdk.RequestAccess: spec, sdk.RequestDoNotSell: spec},
		Integrations: []engine.IntegrationSpec{{
			Name: "crm", Category: "CRM", Type: sdk.SynchronousAPI, Capabilities: []sdk.Capability{sdk.CapabilityAccess},
		}},
	}
	e, err := engine.New(w.RDB, cfg, engine.ConnectorsFunc(func(name string) (sdk.Remote, bool) { return crm{}, name == "crm" }),
		engine.Options{
			Keys: w.Keys, Prefix: "rep", Queue: "rep", Clock: w.Clock.Now,
			Logger:          hclog.New(&hclog.LoggerOptions{Name: t.Name(), Level: hclog.Warn, Output: os.Stderr}),
			MinPollInterval: 10 * time.Millisecond, SchedulerInterval: 20 * time.Millisecond,
			IdleInterval: 10 * time.Millisecond, ReconcileInterval: -1, ShutdownTimeout: 2 * time.Second,
		})
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	if err := e.Start(); err != nil {
		t.Fatalf("engine start: %v", err)
	}
	t.Cleanup(e.Shutdown)
	w.Engine = e
}

// Restart kills redis-server without warning, starts it again, and
// replaces the engine with a new one, as a daemon restart does.
func (w *World) Restart(t *testing.T) {
	t.Helper()
	w.Engine.Shutdown()
	w.Redis.Restart(t)
	w.startEngine(t)
}

// From and To bound Seed's reporting year, 2025.
var (
	From = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	To   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Want is the report of Seed's requests over [From, To): access 3, 5 and
// 1 days to respond (odd: median 3), do_not_sell 2 and 5 (even: 3.5).
func Want() []report.Row {
	return []report.Row{
		{Type: sdk.RequestAccess, Received: 4, Whole: 1, Part: 1, Denied: 1, Open: 1, Responded: 3, MedianDays: 3, MeanDays: 3},
		{Type: sdk.RequestDeletion},
		{Type: sdk.RequestDoNotSell, Received: 3, Whole: 2, Open: 1, Responded: 2, MedianDays: 3.5, MeanDays: 3.5},
		{Type: sdk.RequestRightToEdit},
		{Type: sdk.RequestDoNotMail},
	}
}

// Emails are the subjects Seed files, which no report may show.
var Emails = []string{"ada@example.com", "fail@example.com", "bob@example.com", "cy@example.com", "dee@example.com", "early@example.com", "late@example.com"}

// Seed files requests with known outcomes, in time order, each created
// and closed at a set time.
func (w *World) Seed(t *testing.T) {
	t.Helper()
	day := func(m time.Month, d, h int) time.Time { return time.Date(2025, m, d, h, 0, 0, 0, time.UTC) }
	// Received the day before the year: not counted, though closed in it.
	w.complete(t, sdk.RequestAccess, "early@example.com", time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC), day(1, 2, 9))
	w.complete(t, sdk.RequestAccess, "ada@example.com", day(2, 1, 10), day(2, 4, 8))    // whole, 3 days
	w.complete(t, sdk.RequestAccess, "fail@example.com", day(3, 1, 23), day(3, 6, 1))   // part (stopped), 5 days
	w.reject(t, "bob@example.com", day(4, 1, 12), day(4, 2, 12))                        // denied, 1 day
	w.complete(t, sdk.RequestDoNotSell, "cy@example.com", day(5, 1, 12), day(5, 3, 12)) // whole, 2 days
	w.complete(t, sdk.RequestDoNotSell, "dee@example.com", day(6, 1, 0), day(6, 6, 23)) // whole, 5 days
	w.create(t, sdk.RequestAccess, "ada@example.com", day(7, 1, 9))                     // open
	w.create(t, sdk.RequestDoNotSell, "late@example.com", day(12, 31, 23))              // open, the year's last hour
	w.create(t, sdk.RequestDoNotSell, "late@example.com", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
}

func (w *World) create(t *testing.T, typ sdk.RequestType, email string, at time.Time) string {
	t.Helper()
	w.Clock.Set(at)
	r, err := w.Engine.Create(context.Background(), engine.CreateInput{Type: typ, Subject: sdk.Subject{Email: email}, Actor: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func (w *World) reject(t *testing.T, email string, created, closed time.Time) {
	t.Helper()
	id := w.create(t, sdk.RequestAccess, email, created)
	w.Clock.Set(closed)
	if _, err := w.Engine.Reject(context.Background(), id, "ops", "not verified", engine.Reply{}); err != nil {
		t.Fatal(err)
	}
}

// complete approves, waits for Reply (stopping a failed integration on
// the way) and closes at closed.
func (w *World) complete(t *testing.T, typ sdk.RequestType, email string, created, closed time.Time) {
	t.Helper()
	ctx := context.Background()
	id := w.create(t, typ, email, created)
	if _, err := w.Engine.Approve(ctx, id, "ops", nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := w.Engine.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Stage == state.StageReply {
			break
		}
		for _, it := range r.Integrations {
			if it.Status == state.Error {
				if _, err := w.Engine.Stop(ctx, id, it.Name, "ops"); err != nil {
					t.Fatal(err)
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("request %s never reached Reply: %s", id, r.Stage)
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.Clock.Set(closed)
	if _, err := w.Engine.Close(ctx, id, "ops", engine.Reply{}); err != nil {
		t.Fatal(err)
	}
}
