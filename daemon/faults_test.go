package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/examples/genericrest/demoapi"
	"github.com/dsrhost/dsrhost/internal/testprereq"
	"github.com/dsrhost/dsrhost/sdk"
)

// aofRedis is a redis-server that writes every change to its append-only
// file before answering, so the test can kill it and start it again on
// the same port from that file, as an operator restarting Redis would.
type aofRedis struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	mu   sync.Mutex
	cmd  *exec.Cmd
}

func startAOFRedis(t *testing.T) *aofRedis {
	t.Helper()
	bin := testprereq.Command(t, "redis-server", "redis-server")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	r := &aofRedis{t: t, bin: bin, dir: t.TempDir(), port: port}
	r.start()
	t.Cleanup(r.kill)
	return r
}

func (r *aofRedis) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *aofRedis) start() {
	r.t.Helper()
	cmd := exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "yes")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	r.mu.Lock()
	r.cmd = cmd
	r.mu.Unlock()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", r.addr(), time.Second)
		if err == nil {
			_, _ = c.Write([]byte("PING\r\n"))
			buf := make([]byte, 64)
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			n, _ := c.Read(buf)
			_ = c.Close()
			if strings.HasPrefix(string(buf[:n]), "+PONG") {
				return
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server on %s did not answer PING", r.addr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the server with SIGKILL: nothing but the AOF survives.
func (r *aofRedis) kill() {
	r.mu.Lock()
	cmd := r.cmd
	r.cmd = nil
	r.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// crashConfig is two integrations of the test connector: a slow
// synchronous CRM (each call takes crmDelay) and a fast whole-record
// eraser; deletion requests are approved on creation.
func crashConfig(t *testing.T, c *cluster, name, redisAddr, crmDelay string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(configHeader(freeAddr(t), redisURLBlock(redisAddr)))
	for _, p := range []struct{ name, typ, delay string }{{"crm", "sync", crmDelay}, {"eraser", "whole_record", "20ms"}} {
		fmt.Fprintf(&b, `
plugin "test-%[1]s" {
  command = %[3]q
  args    = ["-type", %[2]q]
}
integration %[1]q {
  plugin         = "test-%[1]s"
  retry_interval = "24h"
  settings {
    token  = "t"
    delay  = %[4]q
    ledger = %[5]q
  }
}
`, p.name, p.typ, filepath.Join(c.bin, "dsrhost-plugin-test"), p.delay, c.ledger)
	}
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// pluginPID is the pid the daemon logged for plugin name's first process.
func (d *daemon) pluginPID(t *testing.T, name string) int {
	t.Helper()
	re := regexp.MustCompile(`plugin\.` + regexp.QuoteMeta(name) + `: plugin started: version=\S+ pid=(\d+)`)
	m := re.FindStringSubmatch(d.log())
	if m == nil {
		t.Fatalf("no pid logged for plugin %s", name)
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// waitCalls waits until the connectors' ledger holds at least n calls.
func waitCalls(t *testing.T, c *cluster, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		b, _ := os.ReadFile(filepath.Join(c.ledger, "ledger"))
		if got := strings.Count(string(b), "\n"); got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d connector calls within %v", n, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitPluginCall waits until the plugin process pid has finished a
// connector call, as the ledger records it.
func waitPluginCall(t *testing.T, c *cluster, pid int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		for _, r := range readLedger(t, c.ledger) {
			if r.pid == pid {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("plugin process %d made no call within %v", pid, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitCRMCallInFlight waits until a request shows crm Processing in a
// call started after since: a call under way in a daemon started then
// (a call of 1s is written as Processing once the engine's 250ms commit
// grace period ends, and stays so until it answers).
func waitCRMCallInFlight(t *testing.T, e *engine.Engine, since time.Time, within time.Duration) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		list, _, err := e.List(ctx, engine.Filter{IntegrationStatus: state.Processing, Integration: "crm"}, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list {
			for _, in := range r.Integrations {
				if in.Name == "crm" && in.Status == state.Processing && in.UpdatedAt.After(since) {
					return
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no crm call under way within %v", within)
}

// TestCrashRunLosesNothing is issue 13's crash run: deletion requests over
// two integrations (one vendor slow) while the daemon is killed with
// SIGKILL and started again, one plugin process is killed with SIGKILL,
// and redis-server is killed and started again from its AOF under the
// running daemon. Every request reaches Reply with the right labels, no
// attempt fails (transient errors are waited out, jobs of a restarting
// plugin wait for it), and nobody restarts anything after Redis is back.
func TestCrashRunLosesNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits for asynq's 30s lease to expire")
	}
	const n = 150
	rs := startAOFRedis(t)
	c := newClusterOn(t, "")
	ctl := c.control(crashConfig(t, c, "ctl.hcl", rs.addr(), "1s"))
	ids := createRequests(t, ctl, n)

	a := c.startDaemon(crashConfig(t, c, "a.hcl", rs.addr(), "1s"))
	waitCalls(t, c, 20, 2*time.Minute)
	pids := a.pluginPIDs()
	a.stop(syscall.SIGKILL)
	waitGone(t, pids, 10*time.Second)
	t.Log("daemon killed")

	bStarted := time.Now()
	b := c.startDaemon(crashConfig(t, c, "b.hcl", rs.addr(), "1s"))
	before := len(readLedger(t, c.ledger))
	waitCalls(t, c, before+20, 2*time.Minute)
	crm := b.pluginPID(t, "test-crm")
	// The kill must land on calls in flight: wait until this plugin
	// process has answered a call (the crm's slots held by the killed
	// daemon free up only when their leases end), then until one of its
	// calls is under way.
	waitPluginCall(t, c, crm, 2*time.Minute)
	waitCRMCallInFlight(t, ctl, bStarted, 2*time.Minute)
	if err := syscall.Kill(crm, syscall.SIGKILL); err != nil {
		t.Fatalf("kill plugin: %v", err)
	}
	t.Log("crm plugin killed")

	waitCalls(t, c, before+40, 2*time.Minute)
	rs.kill()
	time.Sleep(time.Second)
	rs.start()
	t.Log("redis restarted from its AOF")

	// 300 crm calls of 1s each, at most 4 at a time across the daemons
	// (the default concurrency), plus asynq's 30s lease on the killed
	// daemon's jobs: about two minutes on an idle machine.
	waitAllReply(t, ctl, ids, 10*time.Minute)
	select {
	case <-b.done:
		t.Fatal("the daemon exited during the run")
	default:
	}
	crashed, failed := checkCrashRun(t, ctl, ids)
	inError, _, err := ctl.List(context.Background(), engine.Filter{IntegrationStatus: state.Error}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(inError) != 0 {
		t.Errorf("%d requests have an integration left in Error", len(inError))
	}
	t.Logf("%d requests, %d connector calls, %d transient plugin_crashed waits, %d failed attempts", n, len(readLedger(t, c.ledger)), crashed, failed)
	if crashed == 0 {
		t.Error("no call failed as plugin_crashed: the plugin kill did not land on calls in flight")
	}
	if failed != 0 {
		t.Errorf("%d attempts failed; transient faults must be waited out", failed)
	}
}

// checkCrashRun checks every request's final labels and one terminal
// transition per integration, and counts the transient plugin_crashed
// waits and the failed attempts in their histories.
func checkCrashRun(t *testing.T, e *engine.Engine, ids []string) (crashed, failed int) {
	t.Helper()
	checkLabels(t, e, ids, map[string]string{
		"Extracting Personal Data/crm": "Complete 2 records found",
		"Pending Delete/crm":           "Complete 2 records deleted",
		"Pending Delete/eraser":        "Complete Deletion done",
	})
	for _, id := range ids {
		hist, err := e.History(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range hist {
			switch {
			case ev.Kind == engine.EventTransient && ev.Attributes["type"] == string(sdk.ErrorPluginCrashed):
				crashed++
			case ev.Kind == engine.EventError:
				failed++
			}
		}
	}
	return crashed, failed
}

// throttledCRM is the demo CRM behind a gate answering each subject's
// first contact lookup 429 Too Many Requests with Retry-After, recording
// when each lookup came.
type throttledCRM struct {
	crm        *demoapi.CRM
	retryAfter int // seconds
	mu         sync.Mutex
	lookups    map[string][]time.Time
}

func (v *throttledCRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/v1/contacts" {
		email := r.URL.Query().Get("email")
		v.mu.Lock()
		v.lookups[email] = append(v.lookups[email], time.Now())
		first := len(v.lookups[email]) == 1
		v.mu.Unlock()
		if first {
			w.Header().Set("Retry-After", strconv.Itoa(v.retryAfter))
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"title":"slow down","status":429}`))
			return
		}
	}
	v.crm.ServeHTTP(w, r)
}

func (v *throttledCRM) times(email string) []time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]time.Time(nil), v.lookups[email]...)
}

// TestRateLimitIsWaitedOut is issue 13's rate-limit acceptance: a vendor
// answers each first call 429 with Retry-After. The integrations show
// Pending with the 429 in their history, try again exactly Retry-After
// later (not retry_interval, 24h), and complete.
func TestRateLimitIsWaitedOut(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits out a two-minute Retry-After")
	}
	// The figure: long enough that a wait on any other clock
	// (retry_interval, poll_interval, the backoff's first steps) shows.
	const retryAfter = 120
	vendor := &throttledCRM{crm: demoapi.NewCRM("crm-token", 50), retryAfter: retryAfter, lookups: map[string][]time.Time{}}
	srv := httptest.NewServer(vendor)
	t.Cleanup(srv.Close)
	c := newCluster(t)
	cfg := filepath.Join(c.dir, "rl.hcl")
	body := fmt.Sprintf(`
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
integration "crm" {
  plugin         = "genericrest"
  retry_interval = "24h"
  settings {
    base_url       = "%s/v1"
    max_retry_wait = "1s"
    auth {
      bearer {
        token = "crm-token"
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
`, freeAddr(t), c.redisBlock, testKey, filepath.Join(c.bin, "dsrhost-plugin-genericrest"), srv.URL)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	ctl := c.control(cfg)
	const n = 3
	var ids []string
	for i := range n {
		email := fmt.Sprintf("subject-%d@example.com", i)
		vendor.crm.Add(email, "Subject")
		r, err := ctl.Create(context.Background(), engine.CreateInput{Type: sdk.RequestAccess, Subject: sdk.Subject{Email: email}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	c.startDaemon(cfg)

	// Each shows Pending with the 429 in history, its next try exactly
	// Retry-After after the error.
	ctx := context.Background()
	seen := map[string]bool{}
	deadline := time.Now().Add(2 * time.Minute)
	for len(seen) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d requests recorded a 429 within 2 minutes", len(seen), n)
		}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			hist, err := ctl.History(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range hist {
				if ev.Kind != engine.EventTransient {
					continue
				}
				seen[id] = true
				if ev.Attributes["type"] != "rate_limited" || ev.Attributes["status_code"] != "429" {
					t.Errorf("request %s: transient error %v, want rate_limited 429", id, ev.Attributes)
				}
				// History keeps times to the millisecond.
				next, err := time.Parse(time.RFC3339Nano, ev.Attributes["next_try_at"])
				if d := next.Sub(ev.Time) - retryAfter*time.Second; err != nil || d < 0 || d >= time.Millisecond {
					t.Errorf("request %s: next try %v after the 429 (%v), want exactly %ds", id, next.Sub(ev.Time), err, retryAfter)
				}
				r, err := ctl.Get(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if in := r.Integrations[0]; in.Status == state.Pending && in.Label != "Pending" {
					t.Errorf("request %s: label %q while waiting, want Pending", id, in.Label)
				} else if in.Status != state.Pending && in.Status != state.Processing && in.Status != state.Complete {
					t.Errorf("request %s: %q after a 429, want Pending", id, in.Label)
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}

	waitAllReply(t, ctl, ids, retryAfter*time.Second+2*time.Minute)
	for i, id := range ids {
		r, err := ctl.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if l := r.Integrations[0].Label; l != "Complete 1 records found" {
			t.Errorf("request %s: %q, want Complete 1 records found", id, l)
		}
		hist, _ := ctl.History(ctx, id)
		for _, ev := range hist {
			if ev.Kind == engine.EventError {
				t.Errorf("request %s: an attempt failed (%s); a rate limit must be waited out", id, ev.Message)
			}
		}
		times := vendor.times(fmt.Sprintf("subject-%d@example.com", i))
		if len(times) != 2 {
			t.Errorf("request %s: %d lookups, want the 429 and one more", id, len(times))
			continue
		}
		// asynq moves due tasks every few seconds: allow that much late,
		// never early.
		if gap := times[1].Sub(times[0]); gap < retryAfter*time.Second || gap > retryAfter*time.Second+15*time.Second {
			t.Errorf("request %s: tried again %v after the 429, want %ds (plus the scheduler's tick)", id, gap, retryAfter)
		}
	}
}
