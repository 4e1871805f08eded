package sdk

import (
	"os"
	"runtime"
)

// oneProcessor runs the plugin's goroutines on one OS thread at a time
// (GOMAXPROCS=1) unless the GOMAXPROCS environment variable chooses
// otherwise. A connector waits on its third party far more than it
// computes, and its process shares the machine with the daemon and Redis:
// with more than one P, every call that wakes the plugin also wakes idle
// threads that spin looking for work and go back to sleep. That cost the
// test connector a quarter to a third of its CPU per call in `make bench`,
// for no gain in latency: a call's goroutines run one after the other
// anyway. Go's preemption keeps one busy job from starving the others.
func oneProcessor() {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	runtime.GOMAXPROCS(1)
}
