package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/flow"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// vendorToken is the bearer token the fake vendors expect (not a secret).
const vendorToken = "vendor-token"

// vendor is a local fake of a contacts API in the shape genericrest
// reads: GET /contacts?email=... with a bearer token answers
// {"results":[{"id":...,"email":...}]}. It records when each call came
// and how many were in flight, and can hang its answers.
type vendor struct {
	*httptest.Server
	mu      sync.Mutex
	delay   time.Duration
	arrived []time.Time
	now     int
	peak    int
}

func newVendor(t *testing.T, delay time.Duration) *vendor {
	t.Helper()
	v := &vendor{delay: delay}
	v.Server = httptest.NewServer(http.HandlerFunc(v.serve))
	t.Cleanup(v.Server.Close)
	return v
}

func (v *vendor) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+vendorToken {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet || r.URL.Path != "/contacts" {
		http.NotFound(w, r)
		return
	}
	v.mu.Lock()
	v.arrived = append(v.arrived, time.Now())
	v.now++
	v.peak = max(v.peak, v.now)
	delay := v.delay
	v.mu.Unlock()
	defer func() {
		v.mu.Lock()
		v.now--
		v.mu.Unlock()
	}()
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
		return
	}
	email := r.URL.Query().Get("email")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"results": []map[string]string{{"id": "c-" + email, "email": email}}})
}

// rate is the calls per second from the first call to the last.
func (v *vendor) rate() float64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.arrived) < 2 {
		return 0
	}
	return float64(len(v.arrived)-1) / v.arrived[len(v.arrived)-1].Sub(v.arrived[0]).Seconds()
}

func (v *vendor) setDelay(d time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.delay = d
}

// stats returns the calls so far, the most in flight at once, and the most
// that arrived within one calendar second.
func (v *vendor) stats() (calls, peak, perSecond int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	bySecond := map[int64]int{}
	for _, at := range v.arrived {
		bySecond[at.Unix()]++
		perSecond = max(perSecond, bySecond[at.Unix()])
	}
	return len(v.arrived), v.peak, perSecond
}

// flowIntegration is a genericrest integration of a fake vendor, with
// extra lines (flow settings) in its block.
type flowIntegration struct {
	name  string
	url   string
	extra string
}

// flowConfig writes a configuration of genericrest integrations whose
// access requests are approved on creation.
func (c *cluster) flowConfig(name, listen string, integrations ...flowIntegration) string {
	c.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `
server {
  listen = %q
}
%s
encryption_key = %q
request_type "access" {
  auto_approve = true
}
plugin "genericrest" {
  command = %q
}
`, listen, c.redisBlock, testKey, filepath.Join(c.bin, "dsrhost-plugin-genericrest"))
	for _, in := range integrations {
		fmt.Fprintf(&b, `
integration %q {
  plugin         = "genericrest"
  retry_interval = "2s"
  %s
  settings {
    base_url = %q
    timeout  = "120s"
    auth {
      bearer {
        token = %q
      }
    }
    access {
      path         = "/contacts"
      query        = { email = "{{ .email }}" }
      records_path = "$.results[*]"
      record_kind  = "contact"
    }
  }
}
`, in.name, in.extra, in.url, vendorToken)
	}
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return path
}

// createAccess files n access requests (approved on creation).
func createAccess(t *testing.T, e *engine.Engine, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		r, err := e.Create(context.Background(), engine.CreateInput{
			Type:    sdk.RequestAccess,
			Subject: sdk.Subject{Email: fmt.Sprintf("subject-%d@example.com", i)},
		})
		if err != nil {
			t.Fatalf("create request %d: %v", i, err)
		}
		ids[i] = r.ID
	}
	return ids
}

// waitComplete waits until integration name is Complete on every request,
// and returns how long that took.
func waitComplete(t *testing.T, e *engine.Engine, ids []string, name string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		left, last := 0, ""
		for _, id := range ids {
			r, err := e.Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range r.Integrations {
				if in.Name == name && in.Workflow == state.Extracting && in.Status != state.Complete {
					left++
					last = in.Label
				}
			}
		}
		if left == 0 {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("%d of %d %s integrations not Complete after %v (one is %q)", left, len(ids), name, within, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Slow vendor: one vendor hangs 30 s a call; the other vendor's
// integrations on 30 requests complete as if it did not, because the
// default concurrency keeps the hanging one to 4 of the 10 workers and
// its waiting jobs hold none.
func TestFlowSlowVendorDoesNotHoldOthers(t *testing.T) {
	c := newCluster(t)
	const hang = 30 * time.Second
	slow := newVendor(t, hang)
	healthy := newVendor(t, 50*time.Millisecond)
	cfg := c.flowConfig("flow.hcl", freeAddr(t),
		flowIntegration{name: "slow", url: slow.URL},
		flowIntegration{name: "healthy", url: healthy.URL})
	ctl := c.control(cfg)
	c.startDaemon(cfg)

	ids := createAccess(t, ctl, 30)
	took := waitComplete(t, ctl, ids, "healthy", hang/2)
	t.Logf("healthy vendor's 30 integrations complete in %v while the other hangs %v a call", took, hang)
	calls, peak, _ := slow.stats()
	if peak > 4 {
		t.Errorf("the hanging vendor had %d calls in flight; the default concurrency is 4", peak)
	}
	if calls == 0 {
		t.Error("the hanging vendor was never called: the test proves nothing")
	}
}

// Shared limit: rate_limit { requests = 5 per = "1s" } with two daemons
// on one Redis: the vendor never sees more than 5 calls in a second, and
// every job finishes.
func TestFlowRateLimitSharedByDaemons(t *testing.T) {
	c := newCluster(t)
	v := newVendor(t, 10*time.Millisecond)
	in := flowIntegration{name: "limited", url: v.URL, extra: "rate_limit {\n    requests = 5\n    per      = \"1s\"\n  }"}
	cfgA := c.flowConfig("a.hcl", freeAddr(t), in)
	cfgB := c.flowConfig("b.hcl", freeAddr(t), in)
	ctl := c.control(cfgA)
	c.startDaemon(cfgA)
	c.startDaemon(cfgB)

	const n = 30
	ids := createAccess(t, ctl, n)
	took := waitComplete(t, ctl, ids, "limited", 3*time.Minute)
	calls, _, perSecond := v.stats()
	t.Logf("%d calls in %v, at most %d in one second", calls, took, perSecond)
	if calls < n {
		t.Fatalf("the vendor saw %d calls for %d jobs", calls, n)
	}
	if perSecond > 5 {
		t.Fatalf("the vendor saw %d calls in one second; the limit is 5", perSecond)
	}
}

// Concurrency across daemons, and a slot held by a killed daemon: two
// daemons never have more than 2 calls in flight together; after one is
// killed mid-call holding both slots, the other's jobs start within
// seconds (the slots' leases are short and were renewed only while the
// killed daemon lived), not after the 60 s call_timeout, and every job
// still finishes.
func TestFlowConcurrencyAcrossDaemonsSurvivesKill(t *testing.T) {
	rs := testredis.Start(t)
	c := newClusterOn(t, redisURLBlock(rs.Addr))
	v := newVendor(t, 300*time.Millisecond)
	in := flowIntegration{name: "held", url: v.URL, extra: "concurrency  = 2\n  call_timeout = \"60s\""}
	cfgA := c.flowConfig("a.hcl", freeAddr(t), in)
	cfgB := c.flowConfig("b.hcl", freeAddr(t), in)
	ctl := c.control(cfgA)
	a := c.startDaemon(cfgA)
	b := c.startDaemon(cfgB)

	first := createAccess(t, ctl, 12)
	waitComplete(t, ctl, first, "held", 2*time.Minute)
	if _, peak, _ := v.stats(); peak != 2 {
		t.Fatalf("peak calls in flight across two daemons = %d, want the limit, 2", peak)
	}

	// Daemon A alone, its calls hanging: it holds both slots, well past
	// a lease (renewing them), while daemon B starts and finds none.
	b.stop(syscall.SIGTERM)
	v.setDelay(time.Hour)
	limiter := flow.New(rs.Client, "dsrhost")
	key := flow.Key{Name: "held", Tag: "dsrhost:held", Gate: "asynq:{dsrhost:held}:paused"}
	stranded := createAccess(t, ctl, 2)
	waitFor(t, "daemon A to hold both slots", func() bool {
		n, err := limiter.InFlight(context.Background(), key)
		return err == nil && n == 2
	})
	c.startDaemon(cfgB)
	later := createAccess(t, ctl, 4)
	time.Sleep(flow.DefaultLease + 2*time.Second)
	if calls, _, _ := v.stats(); calls != 12+2 {
		t.Fatalf("the vendor saw %d calls; daemon B started calls while A held both slots", calls)
	}
	v.setDelay(10 * time.Millisecond)
	a.stop(syscall.SIGKILL)
	killed := time.Now()
	// B's jobs start once A's leases end: within a lease and asynq's
	// retry of the waiting jobs, not after call_timeout.
	waitFor(t, "daemon B's first call after the kill", func() bool {
		calls, _, _ := v.stats()
		return calls > 12+2 || time.Since(killed) > 50*time.Second
	})
	if took := time.Since(killed); took > 20*time.Second {
		t.Fatalf("daemon B's first call came %v after the holder was killed; its leases last %v", took, flow.DefaultLease)
	} else {
		t.Logf("daemon B's first call came %v after the holder was killed", took.Round(100*time.Millisecond))
	}
	// The dead daemon's own jobs come back when asynq's lease on them ends.
	waitComplete(t, ctl, later, "held", 2*time.Minute)
	waitComplete(t, ctl, stranded, "held", 4*time.Minute)
	// Every slot goes back: a live daemon's kept slots within a moment
	// (flow's linger), any left by the killed one within a lease.
	waitFor(t, "no slot held once every job finished", func() bool {
		n, err := limiter.InFlight(context.Background(), key)
		return err == nil && n == 0
	})
}

// createAccessParallel files n access requests (approved on creation)
// from a few goroutines, for runs of thousands.
func createAccessParallel(t *testing.T, e *engine.Engine, n int) []string {
	t.Helper()
	ids := make([]string, n)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				r, err := e.Create(context.Background(), engine.CreateInput{
					Type:    sdk.RequestAccess,
					Subject: sdk.Subject{Email: fmt.Sprintf("subject-%d@example.com", i)},
				})
				if err != nil {
					errs <- fmt.Errorf("create request %d: %w", i, err)
					return
				}
				ids[i] = r.ID
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return ids
}

// rateLimited is a rate_limit block.
func rateLimited(requests int, per string) string {
	return fmt.Sprintf("rate_limit {\n    requests = %d\n    per      = %q\n  }", requests, per)
}

// A rate limit far above what the daemon can do costs nothing, and a
// moderate one is both kept and used. 1,500 jobs under a million per
// second all finish (they crawled at a few a second when a release paused
// the queue for the millisecond the rate held the next call back, and
// asynq's processor slept a second on the paused queue); 250 jobs under
// 50 per second never exceed it and run at close to it.
func TestFlowRateLimitFastAndModerate(t *testing.T) {
	t.Run("fast", func(t *testing.T) {
		v, took := rateRun(t, "fast", 1500, rateLimited(1_000_000, "1s"))
		calls, _, _ := v.stats()
		t.Logf("1500 jobs under a rate of 1,000,000/s in %v (%d calls)", took, calls)
	})
	t.Run("moderate", func(t *testing.T) {
		v, took := rateRun(t, "moderate", 250, rateLimited(50, "1s"))
		calls, _, perSecond := v.stats()
		rate := v.rate()
		t.Logf("%d calls in %v under 50/s: at most %d in one second, %.1f/s from first to last", calls, took, perSecond, rate)
		// Calls are admitted 20 ms apart; the network's jitter may move
		// one across a second's boundary.
		if perSecond > 51 {
			t.Errorf("the vendor saw %d calls in one second; the limit is 50", perSecond)
		}
		if rate < 30 || rate > 50.5 {
			t.Errorf("%.1f calls a second from first to last; want close to the limit, 50 (the daemon does far more unlimited)", rate)
		}
	})
}

// rateRun queues n access requests for one integration with the given
// flow settings, starts a daemon and waits (at most two minutes, far
// more than a working limit needs) until every job has finished.
func rateRun(t *testing.T, name string, n int, extra string) (*vendor, time.Duration) {
	t.Helper()
	c := newCluster(t)
	v := newVendor(t, 0)
	cfg := c.flowConfig(name+".hcl", freeAddr(t), flowIntegration{name: name, url: v.URL, extra: extra})
	ctl := c.control(cfg)
	ids := createAccessParallel(t, ctl, n)
	c.startDaemon(cfg)
	return v, waitComplete(t, ctl, ids, name, 2*time.Minute)
}
