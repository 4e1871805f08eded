package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/agent"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// throughputJobs is how many jobs each side runs.
const throughputJobs = 20000

// The asynq settings `dsrhost server` runs with: engine.Options defaults,
// which the configuration does not change. The anchor uses the same.
const (
	daemonConcurrency  = 10
	daemonIdleInterval = time.Second
	daemonQueue        = "dsrhost"
)

// benchThroughput runs 20,000 access requests of one synchronous
// integration (the test connector, records=0, launched through the plugin
// host) through the daemon's engine, against 20,000 no-op asynq tasks on
// the same Redis with the same concurrency. On both sides the work is
// queued first and the clock runs from starting the workers until the
// queue has none left.
func benchThroughput(b *testing.B, w *world) []Row {
	ctx := context.Background()
	rs := startRedis(b)
	cfg := w.config(b, setup{Listen: freeAddr(b), Redis: rs.Addr, Token: newToken(),
		Integrations: []integ{{"crm", "sync", 0}}, AutoApprove: []string{"access"}})

	anchor := rawAsynqRate(b, rs.Client, throughputJobs)

	a := daemonInProcess(b, cfg)
	before, err := usedMemory(ctx, rs.Client)
	must(b, err)
	createStart := time.Now()
	createRequests(b, a.Engine(), sdk.RequestAccess, throughputJobs)
	b.Logf("queued %d access requests in %v", throughputJobs, time.Since(createStart).Round(time.Millisecond))

	start := time.Now()
	must(b, a.Start())
	waitQueueDrained(b, rs.Client, daemonQueue, throughputJobs)
	took := time.Since(start)
	rate := throughputJobs / took.Seconds()

	if n := countStage(b, a.Engine(), state.StageReply); n != throughputJobs {
		b.Fatalf("%d of %d requests reached Reply", n, throughputJobs)
	}
	after, err := usedMemory(ctx, rs.Client)
	must(b, err)
	b.ReportMetric(rate, "jobs/s")
	return []Row{
		{Item: 1, Measure: fmt.Sprintf("integration jobs/s (%d, sync, records=0)", throughputJobs), Unit: PerSecond,
			Value: rate, Anchor: "raw asynq no-op jobs/s", AnchorValue: anchor, Goal: RatioAtLeast(0.6),
			Note: fmt.Sprintf("Both sides: %d workers (engine default, as dsrhost server runs), jobs queued before the workers start.", daemonConcurrency)},
		{Item: 3, Measure: "Redis bytes per finished integration run", Unit: Bytes,
			Value: float64(after-before) / throughputJobs,
			Note:  "From the throughput run: used_memory after the access requests reached Reply, less before they were created, per request (one integration each); history, state and sealed results are kept until closing and purging."},
	}
}

// daemonInProcess is the daemon's code (agent: configuration, plugin
// host, engine) in the benchmark process, not yet started, logging as
// `dsrhost server` does.
func daemonInProcess(b testing.TB, configPath string) *agent.Agent {
	b.Helper()
	return control(b, configPath, daemonLogger(b))
}

// rawAsynqRate is the anchor: n no-op tasks through asynq with the
// daemon's worker settings, in tasks per second.
func rawAsynqRate(b testing.TB, rdb redis.UniversalClient, n int) float64 {
	b.Helper()
	const queue = "anchor"
	client := asynq.NewClientFromRedisClient(rdb)
	parallel(b, n, func(i int) error {
		_, err := client.Enqueue(asynq.NewTask("noop", nil), asynq.Queue(queue))
		return err
	})
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:       daemonConcurrency,
		Queues:            map[string]int{queue: 1},
		TaskCheckInterval: daemonIdleInterval,
		LogLevel:          asynq.ErrorLevel,
	})
	start := time.Now()
	must(b, srv.Start(asynq.HandlerFunc(func(context.Context, *asynq.Task) error { return nil })))
	b.Cleanup(srv.Shutdown)
	waitQueueDrained(b, rdb, queue, n)
	took := time.Since(start)
	srv.Shutdown()
	return float64(n) / took.Seconds()
}

// waitQueueDrained waits until queue holds no pending, active, scheduled
// or retried task and has processed at least n, failing on any failure.
func waitQueueDrained(b testing.TB, rdb redis.UniversalClient, queue string, n int) {
	b.Helper()
	insp := asynq.NewInspectorFromRedisClient(rdb)
	deadline := time.Now().Add(5 * time.Minute)
	for {
		q, err := insp.GetQueueInfo(queue)
		must(b, err)
		if q.FailedTotal > 0 {
			b.Fatalf("queue %s: %d tasks failed", queue, q.FailedTotal)
		}
		if q.Pending+q.Active+q.Scheduled+q.Retry == 0 && q.ProcessedTotal >= n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("queue %s not drained within 5m: %+v", queue, q)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// createRequests files n requests of type rt through the engine, from
// several goroutines, as concurrent admin API calls would.
func createRequests(b testing.TB, e *engine.Engine, rt sdk.RequestType, n int) {
	b.Helper()
	parallel(b, n, func(i int) error {
		_, err := e.Create(context.Background(), engine.CreateInput{
			Type: rt, Subject: sdk.Subject{Email: fmt.Sprintf("subject-%d@example.com", i)}, Actor: "bench",
		})
		return err
	})
}

// countStage counts the requests in stage st, page by page.
func countStage(b testing.TB, e *engine.Engine, st state.Stage) int {
	b.Helper()
	n, cursor := 0, ""
	for {
		page, next, err := e.List(context.Background(), engine.Filter{Stage: st}, cursor, 1000)
		must(b, err)
		n += len(page)
		if next == "" {
			return n
		}
		cursor = next
	}
}

// parallelism is how many goroutines parallel uses: enough to keep Redis
// busy through round trips.
const parallelism = 32

// parallel calls f(0..n-1) from parallelism goroutines, failing on the
// first error.
func parallel(b testing.TB, n int, f func(i int) error) {
	b.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range parallelism {
		wg.Go(func() {
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
