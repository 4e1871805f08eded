package testredis

import (
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Restart kills the server if it runs and starts it again on the same
// port, directory and arguments, as an operator restarting Redis would;
// data comes back only from AOF or RDB if the arguments turned them on.
// s.Client is replaced by one connected to the new process.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	_, portStr, _ := net.SplitHostPort(s.Addr)
	port, _ := strconv.Atoi(portStr)
	var lastErr error
	// The old process may hold the port for a moment after the kill.
	for range 50 {
		ns, err := startServer(s.cmd.Path, s.dir, port, s.cmd.Args[1:]...)
		if err == nil {
			s.cmd, s.log, s.Client, s.once = ns.cmd, ns.log, ns.Client, sync.Once{}
			return
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("restart redis-server on %s: %v", s.Addr, lastErr)
}
