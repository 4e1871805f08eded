package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
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

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/daemon/internal/agent"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// testKey is the encryption key of test configurations (not a secret).
const testKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// cluster is a test's world: the installed binaries, a real redis-server,
// and a directory for configuration and the connectors' ledger.
type cluster struct {
	t   *testing.T
	bin string
	// redisBlock is the configuration's redis block.
	redisBlock string
	dir        string
	ledger     string
}

// newCluster starts one redis-server.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	rs := testredis.Start(t)
	return newClusterOn(t, redisURLBlock(rs.Addr))
}

// newRedisCluster starts a three-master Redis Cluster.
func newRedisCluster(t *testing.T) *cluster {
	t.Helper()
	rc := testredis.StartCluster(t)
	return newClusterOn(t, fmt.Sprintf("redis {\n  cluster {\n    addrs = [%q, %q, %q]\n  }\n}\n", rc.Addrs[0], rc.Addrs[1], rc.Addrs[2]))
}

// redisURLBlock is the redis block of a configuration using the single
// server at addr.
func redisURLBlock(addr string) string {
	return fmt.Sprintf("redis {\n  url = \"redis://%s/0\"\n}\n", addr)
}

// configHeader is how every test configuration starts: the admin API on
// listen, redisBlock, the test encryption key, the admin token "ops" and
// deletion requests approved on creation, so their jobs start at once.
func configHeader(listen, redisBlock string) string {
	return fmt.Sprintf(`
server {
  listen = %q
}
%s
encryption_key = %q
admin_token "ops" {
  sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  role   = "admin"
}
request_type "deletion" {
  auto_approve = true
}
`, listen, redisBlock, testKey)
}

func newClusterOn(t *testing.T, redisBlock string) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: testbin.Install(t), redisBlock: redisBlock, dir: t.TempDir()}
	c.ledger = filepath.Join(c.dir, "ledger")
	if err := os.Mkdir(c.ledger, 0o755); err != nil {
		t.Fatal(err)
	}
	return c
}

// config writes a configuration listening on listen: three integrations
// of the test connector (synchronous, asynchronous, whole-record
// deletion), each job taking delay, and deletion requests approved on
// creation so jobs start at once.
func (c *cluster) config(name, listen, delay string) string {
	c.t.Helper()
	var b strings.Builder
	b.WriteString(configHeader(listen, c.redisBlock))
	for _, p := range []struct{ name, typ string }{{"crm", "sync"}, {"analytics", "async"}, {"eraser", "whole_record"}} {
		fmt.Fprintf(&b, `
plugin "test-%[1]s" {
  command = %[3]q
  args    = ["-type", %[2]q]
}
integration %[1]q {
  plugin         = "test-%[1]s"
  retry_interval = "2s"
  poll_interval  = "1s"
  settings {
    token  = "t"
    polls  = 1
    delay  = %[4]q
    ledger = %[5]q
  }
}
`, p.name, p.typ, filepath.Join(c.bin, "dsrhost-plugin-test"), delay, c.ledger)
	}
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return path
}

// control is an agent in the test process over the same configuration
// and Redis, whose engine is never started: it creates requests and reads
// their state, as the admin API would, without running any job.
func (c *cluster) control(configPath string) *engine.Engine {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := agent.New(ctx, agent.Options{ConfigPath: configPath, Logger: hclog.NewNullLogger()})
	if err != nil {
		c.t.Fatalf("control agent: %v", err)
	}
	c.t.Cleanup(a.Shutdown)
	return a.Engine()
}

// daemon is a running `dsrhost server` process.
type daemon struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs bytes.Buffer
	out  bytes.Buffer
	done chan struct{}
}

func (c *cluster) startDaemon(configPath string) *daemon {
	c.t.Helper()
	d := &daemon{cmd: newServerCmd(c.bin, configPath), done: make(chan struct{})}
	startProcess(c.t, d)
	return d
}

// newServerCmd is `dsrhost server -config path`, run from the directory
// holding bin/ as `make build` users run it.
func newServerCmd(bin, configPath string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(bin, "dsrhost"), "server", "-config", configPath, "-log-level", "debug")
	cmd.Dir = filepath.Dir(bin)
	return cmd
}

// startProcess starts d's command, collecting its output, and stops it at
// the end of the test (showing its log if the test failed).
func startProcess(t *testing.T, d *daemon) {
	t.Helper()
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	d.cmd.Stdout = &lockedWriter{mu: &d.mu, w: &d.out}
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start dsrhost: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			d.mu.Lock()
			d.logs.WriteString(sc.Text() + "\n")
			d.mu.Unlock()
		}
		_ = d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		d.stop(syscall.SIGTERM)
		if t.Failed() {
			t.Logf("daemon %d log:\n%s", d.cmd.Process.Pid, d.log())
		}
	})
}

// lockedWriter serialises writes to a buffer also read by the test.
type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (d *daemon) stdout() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out.String()
}

func (d *daemon) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.logs.String()
}

// stop signals the daemon and waits for it to exit (killing it after 30s).
func (d *daemon) stop(sig syscall.Signal) {
	select {
	case <-d.done:
		return
	default:
	}
	_ = d.cmd.Process.Signal(sig)
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// freeAddr returns a free 127.0.0.1 address.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// createRequests files n deletion requests (auto-approved).
func createRequests(t *testing.T, e *engine.Engine, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		r, err := e.Create(context.Background(), engine.CreateInput{
			Type:    sdk.RequestDeletion,
			Subject: sdk.Subject{Email: fmt.Sprintf("subject-%d@example.com", i)},
			Source:  "manual",
		})
		if err != nil {
			t.Fatalf("create request %d: %v", i, err)
		}
		ids[i] = r.ID
	}
	return ids
}

// waitAllReply waits until every request has reached Reply.
func waitAllReply(t *testing.T, e *engine.Engine, ids []string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		left := 0
		for _, id := range ids {
			r, err := e.Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if r.Stage != state.StageReply {
				left++
			}
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d requests did not reach Reply within %v", left, len(ids), within)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// wantLabels are the final labels of a deletion request over the three
// test integrations, each finding and deleting 2 records.
var wantLabels = map[string]string{
	"Extracting Personal Data/crm":       "Complete 2 records found",
	"Extracting Personal Data/analytics": "Complete 2 records found",
	"Pending Delete/crm":                 "Complete 2 records deleted",
	"Pending Delete/analytics":           "Complete 2 records deleted",
	"Pending Delete/eraser":              "Complete Deletion done",
}

// checkRequests asserts every request's final labels and that each
// integration had exactly one terminal transition in its history.
func checkRequests(t *testing.T, e *engine.Engine, ids []string) (terminal int) {
	t.Helper()
	return checkLabels(t, e, ids, wantLabels)
}

// checkLabels asserts every request's final labels are want and that each
// integration had exactly one terminal transition in its history.
func checkLabels(t *testing.T, e *engine.Engine, ids []string, wantLabels map[string]string) (terminal int) {
	t.Helper()
	ctx := context.Background()
	for _, id := range ids {
		r, err := e.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, in := range r.Integrations {
			got[in.Workflow.String()+"/"+in.Name] = in.Label
		}
		if fmt.Sprint(got) != fmt.Sprint(wantLabels) {
			t.Errorf("request %s labels:\n got %v\nwant %v", id, got, wantLabels)
		}
		hist, err := e.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, ev := range hist {
			if ev.Kind == engine.EventIntegrationState && ev.Attributes["status"] == "complete" {
				count[ev.Workflow+"/"+ev.Integration]++
			}
		}
		for k, n := range count {
			terminal += n
			if n != 1 {
				t.Errorf("request %s %s: %d terminal transitions, want 1", id, k, n)
			}
		}
		if len(count) != len(wantLabels) {
			t.Errorf("request %s: terminal transitions for %d integrations, want %d", id, len(count), len(wantLabels))
		}
	}
	return terminal
}

// ledgerRun is one job call a connector recorded.
type ledgerRun struct {
	op, key    string
	start, end int64
	pid        int
}

// readLedger returns the recorded calls.
func readLedger(t *testing.T, dir string) []ledgerRun {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "ledger"))
	if err != nil {
		t.Fatalf("read ledger: %v", err)
	}
	var runs []ledgerRun
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 {
			t.Fatalf("bad ledger line %q", line)
		}
		start, _ := strconv.ParseInt(f[2], 10, 64)
		end, _ := strconv.ParseInt(f[3], 10, 64)
		pid, _ := strconv.Atoi(f[4])
		runs = append(runs, ledgerRun{op: f[0], key: f[1], start: start, end: end, pid: pid})
	}
	return runs
}

// overlapping counts pairs of calls of one job (same operation and
// idempotency key) that ran at the same time.
func overlapping(runs []ledgerRun) int {
	byJob := map[string][]ledgerRun{}
	for _, r := range runs {
		byJob[r.op+" "+r.key] = append(byJob[r.op+" "+r.key], r)
	}
	n := 0
	for _, rs := range byJob {
		for i := range rs {
			for j := i + 1; j < len(rs); j++ {
				if rs[i].start < rs[j].end && rs[j].start < rs[i].end {
					n++
				}
			}
		}
	}
	return n
}

var pluginStarted = regexp.MustCompile(`plugin started: version=\S+ pid=(\d+)`)

// pluginPIDs are the plugin processes the daemon logged starting.
func (d *daemon) pluginPIDs() []int {
	var pids []int
	for _, m := range pluginStarted.FindAllStringSubmatch(d.log(), -1) {
		pid, _ := strconv.Atoi(m[1])
		pids = append(pids, pid)
	}
	return pids
}

// waitGone waits until none of pids is a live process (a zombie counts as
// gone: it has exited and waits only to be reaped).
func waitGone(t *testing.T, pids []int, within time.Duration) {
	t.Helper()
	if len(pids) == 0 {
		t.Fatal("no plugin pids to watch")
	}
	deadline := time.Now().Add(within)
	for {
		var alive []int
		for _, pid := range pids {
			stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			if err == nil && !strings.Contains(string(stat), ") Z ") {
				alive = append(alive, pid)
			}
		}
		if len(alive) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("plugin processes %v still running %v after their daemon died", alive, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startDevMode runs `dsrhost server -dev` as `make run` does, with the
// test's root token, and waits until it serves. It returns the installed
// bin directory (for the CLI), the listen address and the daemon.
func startDevMode(t *testing.T) (bin, addr string, d *daemon) {
	t.Helper()
	bin = testbin.Install(t)
	addr = freeAddr(t)
	d = &daemon{cmd: exec.Command(filepath.Join(bin, "dsrhost"), "server", "-dev", "-dev-listen-address", addr, "-dev-root-token-id", opsToken), done: make(chan struct{})}
	startProcess(t, d)
	testbin.WaitServing(t, addr, d.log)
	return bin, addr, d
}
