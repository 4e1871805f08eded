package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// cpuProfileEnv names a file the test connector writes a CPU profile of
// its whole run to, for profiling the plugin side of connector calls
// (`make bench` sets nothing; set it by hand). go-plugin passes the host's
// environment on to the plugin, so setting it for the daemon or the
// benchmark is enough.
const cpuProfileEnv = "DSRHOST_TESTCONNECTOR_CPUPROFILE"

// startProfile starts the CPU profile cpuProfileEnv asks for and returns
// what stops it; without it, or when the file cannot be written, it only
// says so on stderr and profiles nothing.
func startProfile() (stop func()) {
	path := os.Getenv(cpuProfileEnv)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "[WARN] testconnector: no CPU profile: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "[WARN] testconnector: no CPU profile: %v\n", err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}
