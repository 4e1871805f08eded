package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"
)

// Idle benchmark sizes.
const (
	scheduledPolls = 1_000_000
	// idleWindow is how long the daemon's CPU is measured.
	idleWindow = 30 * time.Second
	// settle is how long a freshly started daemon is left alone before
	// it is measured, so start-up work is not counted as idle.
	settle = 5 * time.Second
)

// benchIdle measures the daemon's CPU while idle with 1,000,000 polls in
// asynq's scheduled set, due in 30 days, against the same daemon idle on
// an empty Redis.
func benchIdle(b *testing.B, w *world) []Row {
	rs := startRedis(b)
	listen := freeAddr(b)
	cfg := w.config(b, setup{Listen: listen, Redis: rs.Addr, Token: newToken(), Integrations: threeIntegrations})

	empty := w.startDaemon(b, cfg, listen)
	empty.waitServing(b)
	time.Sleep(settle)
	anchor := empty.cpuOver(b, idleWindow)
	empty.stop()

	start := time.Now()
	schedulePolls(b, rs.Client, daemonQueue, scheduledPolls)
	b.Logf("scheduled %d polls in %v", scheduledPolls, time.Since(start).Round(time.Millisecond))

	loaded := w.startDaemon(b, cfg, listen)
	loaded.waitServing(b)
	time.Sleep(settle)
	cpu := loaded.cpuOver(b, idleWindow)
	b.ReportMetric(cpu, "idle-cpu-%")
	return []Row{{
		Item: 4, Measure: fmt.Sprintf("idle CPU, %d scheduled polls (%v)", scheduledPolls, idleWindow), Unit: Percent,
		Value: cpu, Anchor: "idle daemon, empty Redis", AnchorValue: anchor, Goal: AtMost(2, Percent),
		Note: "utime+stime of the dsrhost server process from /proc/<pid>/stat, in % of one core; its three plugin processes are not counted.",
	}}
}

// schedulePolls puts n poll tasks into queue, due in 30 days, as
// asynchronous integrations waiting on third parties leave them, from
// parallelism connections at once.
// They name requests that do not exist: they never come due while
// measured.
func schedulePolls(b testing.TB, rdb redis.UniversalClient, queue string, n int) {
	b.Helper()
	client := asynq.NewClientFromRedisClient(rdb)
	ctx := context.Background()
	base := time.Now()
	parallel(b, n, func(i int) error {
		id := ulid.MustNew(ulid.Timestamp(base), ulidEntropy(i)).String()
		payload, err := json.Marshal(map[string]any{"r": id, "w": "X", "n": "analytics", "a": 1, "p": 1})
		if err != nil {
			return err
		}
		_, err = client.EnqueueContext(ctx, asynq.NewTask("dsrhost:poll", payload),
			asynq.Queue(queue), asynq.TaskID("dsrhost:poll:"+id+":X:1.1:analytics"),
			asynq.MaxRetry(25), asynq.Timeout(11*time.Minute), asynq.ProcessIn(30*24*time.Hour))
		return err
	})
}
