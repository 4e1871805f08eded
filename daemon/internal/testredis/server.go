package testredis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/internal/testprereq"
)

// Server is one redis-server process.
type Server struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// Client is connected to it and closed at cleanup.
	Client *redis.Client

	cmd  *exec.Cmd
	dir  string
	log  *testlog.Buffer
	once sync.Once
}

// binaries returns the redis-server and redis-cli paths, failing the test
// (or under -short skipping it) when absent: see testprereq.
func binaries(t testing.TB) (server, cli string) {
	t.Helper()
	return testprereq.Command(t, "redis-server", "redis-server"), testprereq.Command(t, "redis-tools", "redis-cli")
}

// Start runs a single redis-server and returns it once it answers PING.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t)
}

// StartWith is Start with further redis-server arguments, such as
// "--maxmemory-policy", "allkeys-lru"; they override the defaults.
func StartWith(t testing.TB, args ...string) *Server {
	t.Helper()
	bin, _ := binaries(t)
	var lastErr error
	for range 5 {
		port, err := freePort(false)
		if err != nil {
			t.Fatalf("find a free port: %v", err)
		}
		s, err := startServer(bin, t.TempDir(), port, args...)
		if err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		lastErr = err
	}
	t.Fatalf("start redis-server: %v", lastErr)
	return nil
}

func startServer(bin, dir string, port int, extra ...string) (*Server, error) {
	args := append([]string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", dir,
		"--save", "",
		"--appendonly", "no",
		"--protected-mode", "yes",
	}, extra...)
	cmd := exec.Command(bin, args...)
	log := &testlog.Buffer{Limit: 1 << 20}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), cmd: cmd, dir: dir, log: log}
	s.Client = redis.NewClient(&redis.Options{Addr: s.Addr})
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if err := s.Client.Ping(ctx).Err(); err == nil {
			return s, nil
		}
		select {
		case <-exited:
			_ = s.Client.Close()
			return nil, fmt.Errorf("redis-server on port %d exited: %s", port, bytes.TrimSpace(log.Bytes()))
		case <-ctx.Done():
			s.Stop()
			return nil, fmt.Errorf("redis-server on port %d did not answer PING: %s", port, bytes.TrimSpace(log.Bytes()))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Stop kills the server. It is safe to call twice.
func (s *Server) Stop() {
	s.once.Do(func() {
		_ = s.Client.Close()
		if s.cmd.Process != nil {
			_ = s.cmd.Process.Kill()
		}
	})
}

// Log returns what the server printed, for failure messages.
func (s *Server) Log() string { return s.log.String() }

// freePort asks the kernel for a free port. For Cluster nodes the bus port
// (port+10000) must be free too.
func freePort(withBus bool) (int, error) {
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if !withBus {
			return port, nil
		}
		if port+10000 > 65535 {
			continue
		}
		b, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		if err != nil {
			continue
		}
		_ = b.Close()
		return port, nil
	}
	return 0, errors.New("no free port pair found")
}
