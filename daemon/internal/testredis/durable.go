package testredis

import (
	"testing"
	"time"
)

// Durable is a redis-server that writes every command to its append-only
// file before answering it, so that Restart (a kill -9 and a start on the
// same port and directory) loses nothing it acknowledged: for tests of
// what survives a Redis restart.
type Durable struct {
	*Server
	bin  string
	port int
}

// StartDurable runs a durable redis-server; clients made with its Addr
// reconnect across restarts.
func StartDurable(t testing.TB) *Durable {
	t.Helper()
	bin, _ := binaries(t)
	dir := t.TempDir()
	var lastErr error
	for range 5 {
		port, err := freePort(false)
		if err != nil {
			t.Fatalf("find a free port: %v", err)
		}
		s, err := startServer(bin, dir, port, durableArgs...)
		if err == nil {
			d := &Durable{Server: s, bin: bin, port: port}
			t.Cleanup(func() { d.Stop() })
			return d
		}
		lastErr = err
	}
	t.Fatalf("start redis-server: %v", lastErr)
	return nil
}

var durableArgs = []string{"--appendonly", "yes", "--appendfsync", "always"}

// Restart kills the server without warning and starts it again on the
// same port and data directory.
func (d *Durable) Restart(t testing.TB) {
	t.Helper()
	d.Stop()
	var err error
	for range 50 {
		// The killed server's port frees a moment after the kill.
		var s *Server
		if s, err = startServer(d.bin, d.dir, d.port, durableArgs...); err == nil {
			d.Server = s
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("restart redis-server: %v", err)
}
