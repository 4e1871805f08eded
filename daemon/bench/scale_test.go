package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// Scale benchmark sizes.
const (
	openRequests = 100_000
	// listPages are walked from the newest request: 10,000 requests.
	listPages = 200
	// anchorTasks are scheduled to weigh one asynq task in Redis.
	anchorTasks = 10_000
)

// benchScale loads 100,000 open requests of three integrations each and
// measures the daemon's RSS against the idle daemon's, ListRequests page
// latency against reading the same pages straight from Redis, and Redis
// bytes per integration against one scheduled asynq task.
//
// The requests are deletion requests awaiting review, filed through the
// engine as the admin API files them: every integration planned, none
// running, so nothing but their presence loads the daemon.
func benchScale(b *testing.B, w *world) []Row {
	ctx := context.Background()
	rs := startRedis(b)
	listen, token := freeAddr(b), newToken()
	cfg := w.config(b, setup{Listen: listen, Redis: rs.Addr, Token: token, Integrations: threeIntegrations})
	api := apiLister(listen, token)

	idle := w.startDaemon(b, cfg, listen)
	idle.waitServing(b)
	served, err := apiServed(ctx, api)
	must(b, err)
	list := api
	ctl := control(b, cfg, quietLogger())
	if !served {
		list = engineLister(ctl.Engine())
	}
	for range 20 { // the same code warmed up on both sides
		_, _, err := list(ctx, "")
		must(b, err)
	}
	time.Sleep(settle)
	idleRSS := idle.rss(b)
	idle.stop()

	before, err := usedMemory(ctx, rs.Client)
	must(b, err)
	start := time.Now()
	createRequests(b, ctl.Engine(), sdk.RequestDeletion, openRequests)
	b.Logf("filed %d requests in %v", openRequests, time.Since(start).Round(time.Millisecond))
	after, err := usedMemory(ctx, rs.Client)
	must(b, err)
	if n := countStage(b, ctl.Engine(), state.StageReview); n != openRequests {
		b.Fatalf("%d of %d requests are in Review", n, openRequests)
	}
	perIntegration := float64(after-before) / (openRequests * float64(len(threeIntegrations)))
	perTask := asynqTaskBytes(b, rs.Client, anchorTasks)

	loaded := w.startDaemon(b, cfg, listen)
	loaded.waitServing(b)
	time.Sleep(settle)
	unlistedRSS := loaded.rss(b)
	daemonPages := walkPages(b, list, listPages)
	redisPages := walkPages(b, redisLister(rs.Client), listPages)
	time.Sleep(settle)
	loadedRSS := loaded.rss(b)

	how := "over HTTP (Connect, protobuf, bearer token) from `dsrhost server`"
	if !served {
		how = "NOT over HTTP: `dsrhost server` does not serve ListRequests yet, so engine.List was timed in the benchmark process"
	}
	p99 := Percentile(daemonPages, 99)
	b.ReportMetric(float64(loadedRSS)/(1<<20), "rss-MiB")
	b.ReportMetric(float64(p99.Microseconds())/1000, "list-p99-ms")
	return []Row{
		{Item: 3, Measure: fmt.Sprintf("daemon RSS, %d open requests × 3", openRequests), Unit: Bytes,
			Value: float64(loadedRSS), Anchor: "idle daemon, empty Redis", AnchorValue: float64(idleRSS), Goal: RatioAtMost(1.2),
			Note: fmt.Sprintf("VmRSS of the dsrhost server process 5s after its last call (after %d pages were listed; %s before any), against the idle daemon's after 20 calls listing nothing. Requests in Review, filed through engine.Create.",
				len(daemonPages), Bytes.format(float64(unlistedRSS)))},
		{Item: 3, Measure: fmt.Sprintf("ListRequests page p99 (%d pages of %d)", len(daemonPages), listPageSize), Unit: Seconds,
			Value: p99.Seconds(), Anchor: "same pages from Redis", AnchorValue: Percentile(redisPages, 99).Seconds(),
			Goal: AtMost(0.020, Seconds), Note: "Listed " + how + "; the anchor reads each page's index range and request hashes with go-redis, one round trip each."},
		{Item: 3, Measure: "Redis bytes per integration (open request)", Unit: Bytes,
			Value: perIntegration, Anchor: "one scheduled asynq task", AnchorValue: perTask, Goal: AtMost(1024, Bytes),
			Note: fmt.Sprintf("INFO memory used_memory after filing the requests, less before, over %d requests × 3 integrations: request, states, history, indexes.", openRequests)},
	}
}

// asynqTaskBytes weighs one scheduled asynq task in Redis: n polls like
// the daemon's are scheduled in a queue of their own, weighed, and
// deleted.
func asynqTaskBytes(b testing.TB, rdb redis.UniversalClient, n int) float64 {
	b.Helper()
	ctx := context.Background()
	const queue = "anchor-weight"
	before, err := usedMemory(ctx, rdb)
	must(b, err)
	schedulePolls(b, rdb, queue, n)
	after, err := usedMemory(ctx, rdb)
	must(b, err)
	must(b, asynq.NewInspectorFromRedisClient(rdb).DeleteQueue(queue, true))
	return float64(after-before) / float64(n)
}
