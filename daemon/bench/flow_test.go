package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dsrhost/dsrhost/daemon/internal/agent"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/flow"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// Flow benchmark sizes.
const (
	// slowRequests is the slow-vendor run: 30 access requests, one
	// of two vendors hanging hangDelay a call, the other answering in
	// healthyDelay.
	slowRequests = 30
	hangDelay    = 30 * time.Second
	healthyDelay = 50 * time.Millisecond
	// flowJobs is how many jobs each side of the overhead run does.
	flowJobs = 5000
	// backlogJobs are queued for one integration before a new request
	// comes for another.
	backlogJobs = 100_000
)

// flowInteg is an integration of the test connector with flow settings.
type flowInteg struct {
	Name  string
	Delay time.Duration
	// Extra lines in the integration block (concurrency, rate_limit).
	Extra string
}

var flowTemplate = template.Must(template.New("hcl").Parse(`
server {
  listen = {{printf "%q" .Listen}}
}
redis {
  url = "redis://{{.Redis}}/0"
}
encryption_key = {{printf "%q" .Key}}
request_type "access" {
  auto_approve = true
}
{{range .Integrations}}
plugin "test-{{.Name}}" {
  command = {{printf "%q" $.Plugin}}
  args    = ["-type", "sync"]
}
integration {{printf "%q" .Name}} {
  plugin = "test-{{.Name}}"
  {{.Extra}}
  settings {
    token   = "bench"
    records = 0
    delay   = {{printf "%q" .Delay.String}}
  }
}
{{end}}
`))

// flowConfig writes a configuration of test-connector integrations whose
// access requests are approved on creation.
func (w *world) flowConfig(b testing.TB, redisAddr string, integrations ...flowInteg) string {
	b.Helper()
	var out strings.Builder
	err := flowTemplate.Execute(&out, map[string]any{"Listen": freeAddr(b), "Redis": redisAddr, "Key": benchKey,
		"Plugin": w.testConnector(), "Integrations": integrations})
	must(b, err)
	path := filepath.Join(b.TempDir(), "dsrhost.hcl")
	must(b, os.WriteFile(path, []byte(out.String()), 0o600))
	return path
}

// flowAgent is the daemon's code in-process, not started; lim replaces
// the flow limiter when set (flow.Off to measure without flow control).
func flowAgent(b testing.TB, configPath string, lim *flow.Limiter) *agent.Agent {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := agent.New(ctx, agent.Options{ConfigPath: configPath, Logger: daemonLogger(b), Engine: engine.Options{Flow: lim}})
	if err != nil {
		b.Fatalf("start the daemon's code in-process: %v", err)
	}
	b.Cleanup(a.Shutdown)
	return a
}

// benchFlow measures flow control: a hanging vendor against another's
// jobs, what the limiter costs, and a backlog against a new request. Each
// part is a sub-benchmark, so one can run alone
// (-bench 'DSRHost/flow/overhead').
func benchFlow(b *testing.B, w *world) []Row {
	var rows []Row
	b.Run("slow_vendor", func(b *testing.B) {
		without, with := slowVendorRun(b, w, healthyDelay), slowVendorRun(b, w, hangDelay)
		rows = append(rows, Row{Item: 6, Measure: fmt.Sprintf("healthy vendor's %d integrations complete, the other vendor hanging %v a call", slowRequests, hangDelay),
			Unit: Seconds, Value: with, Anchor: "the same with no vendor hanging", AnchorValue: without, Goal: RatioAtMost(1.5),
			Note: fmt.Sprintf("%d access requests over two test-connector integrations (%v a call), queued before the engine starts; time from start until the healthy one is Complete on all. Defaults: concurrency 4 per integration, 10 workers.", slowRequests, healthyDelay)})
	})
	b.Run("overhead", func(b *testing.B) {
		// Alternate the two sides, so a change in the machine's load
		// during the run falls on both; report the median of each.
		var off, on, offCPU, onCPU []float64
		for range flowRounds {
			rate, cpu := flowRate(b, w, flow.Off())
			off, offCPU = append(off, rate), append(offCPU, cpu.Seconds())
			rate, cpu = flowRate(b, w, nil)
			on, onCPU = append(on, rate), append(onCPU, cpu.Seconds())
		}
		ratios := pairRatios(on, off) // before median reorders them
		rows = append(rows, Row{Item: 7, Measure: fmt.Sprintf("jobs/s with flow control configured (%d, sync, records=0)", flowJobs), Unit: PerSecond,
			Value: median(on), Anchor: "the same without flow control", AnchorValue: median(off), Goal: RatioAtLeast(0.9),
			Note: fmt.Sprintf("Median of %d alternating runs a side (with: %s; without: %s; ratio within each pair %s). concurrency = 10 (the worker count) and a rate_limit of 1,000,000 per 1s on the one integration: every job takes a token from Redis (one script, sent in the pipeline that reads the job's request: no round trip of its own); a slot is taken from Redis once per burst and handed on between calls for up to 100 ms (flow.slotPool). Without: the limiter off (flow.Off), no Redis call. CPU per job (daemon, Redis and plugin), medians: with %v, without %v.",
				flowRounds, spread(on), spread(off), ratios, perJobCPU(onCPU), perJobCPU(offCPU))})
	})
	b.Run("backlog", func(b *testing.B) {
		quiet, _ := backlogRun(b, w, 0)
		busy, left := backlogRun(b, w, backlogJobs)
		rows = append(rows, Row{Item: 8, Measure: fmt.Sprintf("new request's integration completes, %d jobs queued for another", backlogJobs), Unit: Seconds,
			Value: busy, Anchor: "the same with nothing queued", AnchorValue: quiet, Goal: AtMost(5, Seconds),
			Note: fmt.Sprintf("Each integration has its own asynq queue, served with equal weights: the backlog (no-op run jobs of an older attempt, each admitted by flow control and ended) was still %d jobs long when the new request's integration completed.", left)})
	})
	return rows
}

// perJobCPU is the median of per-job CPU times given in seconds.
func perJobCPU(secs []float64) time.Duration {
	return time.Duration(median(slices.Clone(secs)) * float64(time.Second)).Round(time.Microsecond)
}

// flowRounds is how many runs each side of the overhead row makes.
const flowRounds = 5

// median of xs (xs is reordered).
func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// pairRatios gives the lowest, median and highest of on[i]/off[i].
func pairRatios(on, off []float64) string {
	rs := make([]float64, len(on))
	for i := range on {
		rs[i] = on[i] / off[i]
	}
	slices.Sort(rs)
	return fmt.Sprintf("%.2f–%.2f, median %.2f", rs[0], rs[len(rs)-1], rs[len(rs)/2])
}

// spread lists xs rounded, sorted.
func spread(xs []float64) string {
	ys := slices.Clone(xs)
	slices.Sort(ys)
	parts := make([]string, len(ys))
	for i, y := range ys {
		parts[i] = fmt.Sprintf("%.0f", y)
	}
	return strings.Join(parts, ", ") + " jobs/s"
}

// slowVendorRun times the healthy integration of slowRequests access
// requests while the other integration's calls take otherDelay.
func slowVendorRun(b testing.TB, w *world, otherDelay time.Duration) float64 {
	b.Helper()
	rs := startRedis(b)
	cfg := w.flowConfig(b, rs.Addr, flowInteg{Name: "healthy", Delay: healthyDelay}, flowInteg{Name: "other", Delay: otherDelay})
	a := flowAgent(b, cfg, nil)
	ids := make([]string, slowRequests)
	for i := range ids {
		r, err := a.Engine().Create(context.Background(), engine.CreateInput{Type: sdk.RequestAccess,
			Subject: sdk.Subject{Email: fmt.Sprintf("subject-%d@example.com", i)}, Actor: "bench"})
		must(b, err)
		ids[i] = r.ID
	}
	start := time.Now()
	must(b, a.Start())
	waitIntegration(b, a.Engine(), ids, "healthy")
	took := time.Since(start)
	b.Logf("other vendor %v a call: healthy integrations complete in %v", otherDelay, took.Round(time.Millisecond))
	return took.Seconds()
}

// waitIntegration waits until integration name is Complete on every
// request.
func waitIntegration(b testing.TB, e *engine.Engine, ids []string, name string) {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for _, id := range ids {
		for {
			r, err := e.Get(context.Background(), id)
			must(b, err)
			done := false
			for _, in := range r.Integrations {
				done = done || in.Name == name && in.Status == state.Complete
			}
			if done {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s not Complete on request %s within 5m", name, id)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// flowRate runs flowJobs access requests of one integration with generous
// limits configured, the limiter replaced by lim when set; jobs per second.
func flowRate(b testing.TB, w *world, lim *flow.Limiter) (rate float64, cpu time.Duration) {
	b.Helper()
	rs := startRedis(b)
	cfg := w.flowConfig(b, rs.Addr, flowInteg{Name: "crm", Extra: "concurrency = 10\n  rate_limit {\n    requests = 1000000\n    per      = \"1s\"\n  }"})
	a := flowAgent(b, cfg, lim)
	createRequests(b, a.Engine(), sdk.RequestAccess, flowJobs)
	cpu0, start := treeCPU(b), time.Now()
	must(b, a.Start())
	waitQueueDrained(b, rs.Client, daemonQueue+":crm", flowJobs)
	rate = flowJobs / time.Since(start).Seconds()
	cpu = (treeCPU(b) - cpu0) / flowJobs
	if n := countStage(b, a.Engine(), state.StageReply); n != flowJobs {
		b.Fatalf("%d of %d requests reached Reply", n, flowJobs)
	}
	b.Logf("flow control off=%v: %.0f jobs/s, CPU per job %v", lim != nil, rate, cpu)
	return rate, cpu
}

// backlogRun queues backlog no-op run jobs for integration "bulk" (an
// old attempt of one request, which each job finds over and ends), starts
// the engine, files a new request and times its "fresh" integration; it
// also returns how many backlog jobs were still queued then.
func backlogRun(b testing.TB, w *world, backlog int) (float64, int) {
	b.Helper()
	rs := startRedis(b)
	cfg := w.flowConfig(b, rs.Addr, flowInteg{Name: "bulk"}, flowInteg{Name: "fresh"})
	a := flowAgent(b, cfg, nil)
	e := a.Engine()
	old, err := e.Create(context.Background(), engine.CreateInput{Type: sdk.RequestAccess, Subject: sdk.Subject{Email: "old@example.com"}, Actor: "bench"})
	must(b, err)
	client := asynq.NewClientFromRedisClient(rs.Client)
	queue := daemonQueue + ":bulk"
	parallel(b, backlog, func(i int) error {
		payload, _ := json.Marshal(map[string]any{"r": old.ID, "w": state.Extracting.Code(), "n": "bulk", "a": 1000 + i})
		_, err := client.Enqueue(asynq.NewTask("dsrhost:run", payload), asynq.Queue(queue))
		return err
	})
	must(b, a.Start())
	time.Sleep(time.Second) // the workers are busy with the backlog
	start := time.Now()
	r, err := e.Create(context.Background(), engine.CreateInput{Type: sdk.RequestAccess, Subject: sdk.Subject{Email: "new@example.com"}, Actor: "bench"})
	must(b, err)
	waitIntegration(b, e, []string{r.ID}, "fresh")
	took := time.Since(start)
	left := 0
	if backlog > 0 {
		info, err := asynq.NewInspectorFromRedisClient(rs.Client).GetQueueInfo(queue)
		must(b, err)
		left = info.Pending + info.Scheduled + info.Retry
	}
	b.Logf("backlog %d: the new request's integration completed in %v (%d still queued)", backlog, took.Round(time.Millisecond), left)
	return took.Seconds(), left
}
