package bench

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/agent"
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

// throughputRounds is how many alternating runs each side of row 1 makes.
const throughputRounds = 3

// benchThroughput runs 20,000 access requests of one synchronous
// integration (the test connector, records=0, launched through the plugin
// host) through the daemon's engine, against the floor: 20,000 asynq
// tasks on the same Redis with the same concurrency, each making one bare
// go-plugin call. On both sides the work is queued first and the clock
// runs from starting the workers until the queue has none left. The sides
// alternate, throughputRounds runs each, so a change in the machine's
// speed during the run falls on both; the row reports the medians.
func benchThroughput(b *testing.B, w *world) []Row {
	rs := startRedis(b)
	cfg := w.config(b, setup{Listen: freeAddr(b), Redis: rs.Addr, Token: newToken(),
		Integrations: []integ{{"crm", "sync", 0}}, AutoApprove: []string{"access"},
		// As many calls in flight as workers, as on the floor's side: row 1
		// measures the engine; row 7 prices flow control itself.
		Concurrency: daemonConcurrency})

	anchor, anchorCPU := rawAsynqRate(b, rs.Client, throughputJobs)
	floor := w.startFloor(b)
	ceiling := newCeiling(b, floor, rs.Client)
	a := daemonInProcess(b, cfg)
	var rates, floors, ceilings []float64
	var ceilingSplit string
	var run daemonRun
	var floorCPU time.Duration
	var floorSplit string
	for round := range throughputRounds {
		rate, cpu, split := floor.run(b, rs.Client, fmt.Sprintf("floor%d", round), throughputJobs)
		floors = append(floors, rate)
		if round == 0 {
			floorCPU, floorSplit = cpu, split
		}
		r := runDaemon(b, a, rs.Client, round)
		rates = append(rates, r.rate)
		if round == 0 {
			run = r
		}
		crate, _, csplit := ceiling.run(b, rs.Client, fmt.Sprintf("ceiling%d", round), throughputJobs)
		ceilings = append(ceilings, crate)
		if round == 0 {
			ceilingSplit = csplit
		}
	}
	floor.stop()
	ratios := pairRatios(rates, floors) // before median reorders them
	ceilingRatios := pairRatios(ceilings, floors)
	rate, floorMedian := median(slices.Clone(rates)), median(slices.Clone(floors))
	if n := countStage(b, a.Engine(), state.StageReply); n != throughputJobs*throughputRounds {
		b.Fatalf("%d of %d requests reached Reply", n, throughputJobs*throughputRounds)
	}
	b.ReportMetric(rate, "jobs/s")
	return []Row{
		{Item: 1, Measure: fmt.Sprintf("integration jobs/s (%d, sync, records=0)", throughputJobs), Unit: PerSecond,
			Value: rate, Anchor: "floor: asynq + one bare go-plugin call", AnchorValue: floorMedian, Goal: RatioAtLeast(0.8),
			Note: fmt.Sprintf("Median of %d alternating runs a side (dsrhost: %s; floor: %s; ratio within each pair %s). Both sides: %d workers (engine default, as dsrhost server runs; the integration's concurrency set to match), jobs queued before the workers start; the engine's attention pass runs at start, as in the daemon (none of their entries is due yet). Floor: asynq tasks each making one bare go-plugin echo call, the part of a job no engine can avoid. CPU per job in the first run, daemon code + Redis + plugin: %v (%s); floor: %v (%s). Raw asynq no-op jobs: %.0f/s, CPU per job %v (dsrhost %.2f of it, the floor %.2f).",
				throughputRounds, spread(rates), spread(floors), ratios, daemonConcurrency,
				(run.cpu / throughputJobs).Round(time.Microsecond), run.split, (floorCPU / throughputJobs).Round(time.Microsecond), floorSplit,
				anchor, (anchorCPU / throughputJobs).Round(time.Microsecond), rate/anchor, floorMedian/anchor)},
		{Item: 1, Measure: "ceiling: floor + one store commit a job", Unit: PerSecond,
			Value: median(slices.Clone(ceilings)), Anchor: "floor: asynq + one bare go-plugin call", AnchorValue: floorMedian,
			Note: fmt.Sprintf("The floor's tasks each followed by one commit of a finished access job through the daemon's store (the integration Complete, the request in Reply, its result, four history entries, its index entries), with nothing read: no load, no engine, no flow control. So its ratio to the floor is the most row 1 can reach here while each job's outcome and history are committed durably. Median of %d runs, alternating with the other two sides (%s; ratio within each round %s). CPU per job in the first run: %s.",
				throughputRounds, spread(ceilings), ceilingRatios, ceilingSplit)},
		{Item: 3, Measure: "Redis bytes per finished integration run", Unit: Bytes,
			Value: run.bytes,
			Note:  "From the first throughput run: used_memory after the access requests reached Reply, less before they were created, per request (one integration each); history, state and sealed results are kept until closing and purging."},
		{Item: 4, Measure: "full reconcile pass, CPU per request in Process", Unit: Seconds, Value: run.reconcileCPU.Seconds() / throughputJobs,
			Note: fmt.Sprintf("engine.Reconcile over the %d queued requests before the workers start: CPU of the daemon's code and of Redis, per request (the pass took %v). The daemon runs it once an hour as a backstop: 100,000 requests in Process at this rate average %.2f%% of one core. Every minute it runs only engine.ReconcileDue, which visits the integrations whose next commit is overdue: over these 20,000 (none overdue) it took %v of CPU in all.",
				throughputJobs, run.reconcile.Round(time.Millisecond), 100*run.reconcileCPU.Seconds()*100_000/throughputJobs/3600, run.dueCPU.Round(time.Microsecond))},
	}
}

// daemonRun is what one run of the daemon's side of row 1 measured.
type daemonRun struct {
	rate                    float64
	cpu                     time.Duration
	split                   string
	bytes                   float64 // Redis bytes per request
	reconcile, reconcileCPU time.Duration
	dueCPU                  time.Duration
}

// runDaemon queues throughputJobs access requests on the stopped engine of
// a, starts it, waits until their jobs are done and stops it again. Round
// counts the runs before, whose jobs the queue's totals include.
func runDaemon(b *testing.B, a *agent.Agent, rdb redis.UniversalClient, round int) daemonRun {
	ctx := context.Background()
	var r daemonRun
	before, err := usedMemory(ctx, rdb)
	must(b, err)
	createStart := time.Now()
	createRequests(b, a.Engine(), sdk.RequestAccess, throughputJobs)
	b.Logf("queued %d access requests in %v", throughputJobs, time.Since(createStart).Round(time.Millisecond))
	if round == 0 { // row 4 reads the first run's; the rest would only take time
		r.reconcile, r.reconcileCPU = timeReconcile(b, a.Engine().Reconcile)
		_, r.dueCPU = timeReconcile(b, a.Engine().ReconcileDue)
	}

	split0 := cpuSplit(b)
	stopProfile := phaseProfile(b, rdb, fmt.Sprint(round))
	cpu0, start := treeCPU(b), time.Now()
	must(b, a.Start())
	waitQueueDrained(b, rdb, daemonQueue+":crm", throughputJobs*(round+1)) // the integration's own queue
	took := time.Since(start)
	r.cpu = treeCPU(b) - cpu0
	stopProfile()
	r.split = perJob(cpuSplit(b), split0, throughputJobs)
	r.rate = throughputJobs / took.Seconds()
	a.Engine().Shutdown()
	after, err := usedMemory(ctx, rdb)
	must(b, err)
	r.bytes = float64(after-before) / throughputJobs
	return r
}

// phaseProfile writes a CPU profile of a measured run to the file
// DSRHOST_BENCH_CPUPROFILE names plus suffix, and Redis's command counts
// over it to that name plus ".redis", when that variable is set;
// otherwise it does nothing.
// For finding where a row's time goes: go tool pprof on the profile.
func phaseProfile(b testing.TB, rdb redis.UniversalClient, suffix string) func() {
	base := os.Getenv("DSRHOST_BENCH_CPUPROFILE")
	if base == "" {
		return func() {}
	}
	ctx := context.Background()
	f, err := os.Create(base + suffix)
	must(b, err)
	must(b, rdb.ConfigResetStat(ctx).Err())
	must(b, pprof.StartCPUProfile(f))
	return func() {
		pprof.StopCPUProfile()
		must(b, f.Close())
		stats, err := rdb.Info(ctx, "commandstats").Result()
		must(b, err)
		// A file, not the log: the benchmark's log keeps only its first lines.
		must(b, os.WriteFile(base+suffix+".redis", []byte(stats), 0o600))
	}
}

// timeReconcile runs one reconcile pass and returns how long it took and
// the CPU it used here and in Redis (nothing else runs meanwhile).
func timeReconcile(b testing.TB, pass func(context.Context) error) (wall, cpu time.Duration) {
	b.Helper()
	cpu0, start := treeCPU(b), time.Now()
	must(b, pass(context.Background()))
	return time.Since(start), treeCPU(b) - cpu0
}

// daemonInProcess is the daemon's code (agent: configuration, plugin
// host, engine) in the benchmark process, not yet started, logging as
// `dsrhost server` does.
func daemonInProcess(b testing.TB, configPath string) *agent.Agent {
	b.Helper()
	return control(b, configPath, daemonLogger(b))
}

// rawAsynqRate is the anchor: n no-op tasks through asynq with the
// daemon's worker settings, in tasks per second, and the CPU they took.
func rawAsynqRate(b testing.TB, rdb redis.UniversalClient, n int) (float64, time.Duration) {
	b.Helper()
	rate, cpu, _ := asynqRun(b, rdb, "anchor", n, asynq.HandlerFunc(func(context.Context, *asynq.Task) error { return nil }))
	return rate, cpu
}

// asynqRun queues n tasks in queue (payloads "0" to n-1), then runs them through an asynq
// server with the daemon's worker settings and handler h: tasks per
// second from starting the server until the queue is drained, the CPU
// every process took meanwhile, and the split of those before and after
// (cpuSplit) for perJob.
func asynqRun(b testing.TB, rdb redis.UniversalClient, queue string, n int, h asynq.Handler) (rate float64, cpu time.Duration, split [2]map[string]time.Duration) {
	b.Helper()
	client := asynq.NewClientFromRedisClient(rdb)
	parallel(b, n, func(i int) error {
		// The payload numbers the task, for a handler with work per task.
		_, err := client.Enqueue(asynq.NewTask("job", []byte(strconv.Itoa(i))), asynq.Queue(queue))
		return err
	})
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:       daemonConcurrency,
		Queues:            map[string]int{queue: 1},
		TaskCheckInterval: daemonIdleInterval,
		LogLevel:          asynq.ErrorLevel,
	})
	split[0] = cpuSplit(b)
	cpu0, start := treeCPU(b), time.Now()
	must(b, srv.Start(h))
	b.Cleanup(srv.Shutdown)
	waitQueueDrained(b, rdb, queue, n)
	took, cpu := time.Since(start), treeCPU(b)-cpu0
	split[1] = cpuSplit(b)
	srv.Shutdown()
	return float64(n) / took.Seconds(), cpu, split
}

// treeCPU is the CPU used so far by the benchmark process and its
// children: Redis and the plugins.
func treeCPU(b testing.TB) time.Duration {
	b.Helper()
	t, err := TreeCPUTime(os.Getpid())
	must(b, err)
	return t
}

// cpuSplit is the CPU used so far by each process of the benchmark: the
// benchmark process itself ("self") and each child by command name.
func cpuSplit(b testing.TB) map[string]time.Duration {
	b.Helper()
	m, err := TreeCPUByName(os.Getpid())
	must(b, err)
	return m
}

// perJob renders the CPU each process used between two splits, per job,
// largest first.
func perJob(after, before map[string]time.Duration, jobs int) string {
	type part struct {
		name string
		d    time.Duration
	}
	var parts []part
	for name, d := range after {
		if d -= before[name]; d > 0 {
			if name == "self" {
				name = "daemon"
			}
			parts = append(parts, part{name, d / time.Duration(jobs)})
		}
	}
	slices.SortFunc(parts, func(a, b part) int { return int(b.d - a.d) })
	var out []string
	for _, p := range parts {
		out = append(out, fmt.Sprintf("%s %v", p.name, p.d.Round(time.Microsecond)))
	}
	return strings.Join(out, ", ")
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
