package telemetry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/daemon/internal/telemetry"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestCollectorReadsRedis counts requests by stage and the overdue ones
// from a real Redis, serves the reading until the next refresh, and keeps
// it (marked stale) when Redis goes away.
func TestCollectorReadsRedis(t *testing.T) {
	rs := testredis.Start(t)
	key, err := seal.NewKey(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := seal.NewKeyRing(key)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	create := func(at time.Time) {
		e, err := engine.New(rs.Client, engine.Config{}, engine.ConnectorsFunc(func(string) (sdk.Remote, bool) { return nil, false }),
			engine.Options{Keys: keys, Clock: func() time.Time { return at }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Create(context.Background(), engine.CreateInput{Type: sdk.RequestAccess, Subject: sdk.Subject{Email: "ada@example.com"}}); err != nil {
			t.Fatal(err)
		}
	}
	create(now.Add(-50 * 24 * time.Hour)) // due 5 days ago
	create(now.Add(-50 * 24 * time.Hour))
	create(now.Add(-time.Hour)) // due in 45 days

	c := telemetry.NewCollector(telemetry.CollectorOptions{
		Store:       store.New(rs.Client, "dsrhost", keys),
		Inspector:   asynq.NewInspectorFromRedisClient(rs.Client),
		MinDeadline: engine.DefaultDeadline,
	})
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	c.Refresh(context.Background())
	want := `
# HELP dsrhost_requests Requests by stage.
# TYPE dsrhost_requests gauge
dsrhost_requests{stage="closed"} 0
dsrhost_requests{stage="process"} 0
dsrhost_requests{stage="reply"} 0
dsrhost_requests{stage="review"} 3
# HELP dsrhost_requests_overdue Open requests past their due date.
# TYPE dsrhost_requests_overdue gauge
dsrhost_requests_overdue 2
# HELP dsrhost_telemetry_refresh_ok 1 when the last reading of Redis for these gauges succeeded.
# TYPE dsrhost_telemetry_refresh_ok gauge
dsrhost_telemetry_refresh_ok 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "dsrhost_requests", "dsrhost_requests_overdue", "dsrhost_telemetry_refresh_ok"); err != nil {
		t.Error(err)
	}

	rs.Stop()
	c.Refresh(context.Background())
	stale := strings.Replace(want, "dsrhost_telemetry_refresh_ok 1\n", "dsrhost_telemetry_refresh_ok 0\n", 1)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(stale), "dsrhost_requests", "dsrhost_requests_overdue", "dsrhost_telemetry_refresh_ok"); err != nil {
		t.Errorf("after Redis stopped: %v", err)
	}
}
