package dbtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is one running database server.
type Server struct {
	// Driver is the connector's driver name: "postgres" or "mysql".
	Driver string
	// Port is the loopback TCP port it listens on.
	Port int

	dir   string
	start func() (*exec.Cmd, error)
	ready func() error
	admin func(db string) string

	// crash is the signal Stop sends.
	crash os.Signal

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	n      int           // databases created
}

var (
	mu      sync.Mutex
	started []*Server
)

// Main runs the package's tests and stops the servers they started; call
// it from TestMain: func TestMain(m *testing.M) { dbtest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	mu.Lock()
	for _, s := range started {
		s.Stop()
		_ = os.RemoveAll(s.dir)
	}
	mu.Unlock()
	os.Exit(code)
}

// missing handles a server binary that is not installed.
func missing(t testing.TB, what, install string) {
	t.Helper()
	if os.Getenv("DSRHOST_REQUIRE_DB") == "" && testing.Short() {
		t.Skipf("%s is not installed (%s); skipped under -short", what, install)
	}
	t.Fatalf("%s is not installed: %s (tests need real database servers; `make test` installs them)", what, install)
}

// shared starts a server once per test binary.
func shared(t testing.TB, once *sync.Once, srv **Server, errp *error, boot func() (*Server, error)) *Server {
	t.Helper()
	once.Do(func() {
		*srv, *errp = boot()
		if *srv != nil {
			mu.Lock()
			started = append(started, *srv)
			mu.Unlock()
		}
	})
	if *errp != nil {
		t.Fatalf("start database server: %v", *errp)
	}
	return *srv
}

// Stop shuts the server down at once, as a crash would: open transactions
// are lost and rolled back when it starts again. PostgreSQL gets SIGQUIT
// (immediate shutdown: its backends die with it, no checkpoint); MariaDB
// SIGKILL.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(s.crash)
	<-s.exited
	// Anything left of the process group goes too.
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	s.cmd = nil
}

// Restart starts a stopped server again on the same port and data.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.run(); err != nil {
		t.Fatalf("restart %s: %v", s.Driver, err)
	}
}

func (s *Server) run() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return nil
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		cmd, err := s.start()
		if err != nil {
			return err
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		err = s.waitReady(exited, deadline)
		if err == nil {
			s.cmd, s.exited = cmd, exited
			return nil
		}
		_ = cmd.Process.Kill()
		<-exited
		if !errors.Is(err, errExited) || time.Now().After(deadline) {
			return fmt.Errorf("not ready: %w (log in %s)", err, s.dir)
		}
		// The server exited at once, typically because what a killed
		// predecessor left behind (shared memory, a lock) was not gone
		// yet: start it again.
		time.Sleep(500 * time.Millisecond)
	}
}

var errExited = errors.New("the server exited while starting")

// waitReady polls ready until it answers, the process exits or the
// deadline passes.
func (s *Server) waitReady(exited <-chan struct{}, deadline time.Time) error {
	for {
		err := s.ready()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return errExited
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after 60s: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freePort finds a loopback port nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logFile opens the server's log in its directory.
func logFile(dir, name string) (*os.File, error) {
	return os.OpenFile(dir+"/"+name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
}

func portString(p int) string { return strconv.Itoa(p) }
