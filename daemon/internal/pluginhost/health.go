package pluginhost

import "time"

// State is a plugin's condition as the data inventory shows it.
type State string

// The states.
const (
	// StateHealthy: the process runs and answered Describe.
	StateHealthy State = "healthy"
	// StateRestarting: the process died and the host is launching it
	// again, after a backoff.
	StateRestarting State = "restarting"
	// StateFailed: a restart was refused for a reason an admin must fix
	// (the binary's checksum no longer matches). The host keeps trying.
	StateFailed State = "failed"
	// StateStopped: the plugin was closed.
	StateStopped State = "stopped"
)

// Health is a snapshot of a plugin's supervision.
type Health struct {
	State State
	// Message says why the plugin is not healthy (the last launch error),
	// or is empty.
	Message string
	// Restarts counts successful restarts since the plugin was started.
	Restarts int
	// PID is the running process's id, 0 while none runs.
	PID int
	// Since is when State last changed.
	Since time.Time
	// CrashLoop: the process keeps dying soon after each start
	// (Options.CrashLoopRestarts in a row); Message says so.
	CrashLoop bool
	// NextLaunch is when the host launches the process again, while it is
	// restarting.
	NextLaunch time.Time
}
