package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/internal/testlog"
)

// daemonProcess is a `dsrhost server` process, started as a user starts
// it, from the installed binaries.
type daemonProcess struct {
	cmd     *exec.Cmd
	addr    string
	started time.Time
	log     *testlog.Buffer
	done    chan struct{}
}

// startDaemon launches `dsrhost server -config configPath` listening on
// listen, and stops it (SIGTERM, then SIGKILL after 30s) at cleanup.
func (w *world) startDaemon(b testing.TB, configPath, listen string) *daemonProcess {
	b.Helper()
	d := &daemonProcess{
		cmd:  exec.Command(filepath.Join(w.bin, "dsrhost"), "server", "-config", configPath, "-log-level", "warn"),
		addr: listen,
		log:  &testlog.Buffer{Limit: 1 << 20},
		done: make(chan struct{}),
	}
	d.cmd.Dir = filepath.Dir(w.bin)
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	d.started = time.Now()
	if err := d.cmd.Start(); err != nil {
		b.Fatalf("start dsrhost server: %v", err)
	}
	go func() { _ = d.cmd.Wait(); close(d.done) }()
	b.Cleanup(d.stop)
	return d
}

// pid is the daemon's process id.
func (d *daemonProcess) pid() int { return d.cmd.Process.Pid }

// waitServing polls the daemon's gRPC health check until it answers
// SERVING and returns the time since launch.
func (d *daemonProcess) waitServing(b testing.TB) time.Duration {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		if serving(ctx, client, d.addr) {
			return time.Since(d.started)
		}
		select {
		case <-d.done:
			b.Fatalf("dsrhost server exited before serving: %v\n%s", d.cmd.ProcessState, d.log)
		case <-ctx.Done():
			b.Fatalf("dsrhost server did not answer SERVING within 2m\n%s", d.log)
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// serving asks the gRPC health service, through Connect's JSON protocol,
// whether the server is SERVING.
func serving(ctx context.Context, client *http.Client, addr string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/grpc.health.v1.Health/Check", strings.NewReader("{}"))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&body) != nil {
		return false
	}
	// The JSON name of grpc.health.v1's enum value, or its short form.
	return body.Status == "SERVING_STATUS_SERVING" || body.Status == "SERVING"
}

// stop ends the daemon gracefully and waits for it; it is safe to call
// twice.
func (d *daemonProcess) stop() {
	select {
	case <-d.done:
		return
	default:
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// rss is the daemon's resident set size in bytes.
func (d *daemonProcess) rss(b testing.TB) int64 {
	b.Helper()
	n, err := RSS(d.pid())
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// cpuOver returns the daemon's CPU use over window, as a percentage of one
// core.
func (d *daemonProcess) cpuOver(b testing.TB, window time.Duration) float64 {
	b.Helper()
	before, err := CPUTime(d.pid())
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	select {
	case <-time.After(window):
	case <-d.done:
		b.Fatalf("dsrhost server exited while measured: %v\n%s", d.cmd.ProcessState, d.log)
	}
	after, err := CPUTime(d.pid())
	if err != nil {
		b.Fatal(err)
	}
	return 100 * (after - before).Seconds() / time.Since(start).Seconds()
}
