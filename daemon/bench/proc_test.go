package bench

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// TestProcReadsOwnProcess checks the /proc readers against this process,
// which is certainly resident and has certainly used some CPU after a
// busy loop.
func TestProcReadsOwnProcess(t *testing.T) {
	rss, err := RSS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 {
		t.Errorf("RSS = %d bytes, implausibly small for a Go test binary", rss)
	}
	before, err := CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	n := 0
	for time.Now().Before(deadline) {
		n++
	}
	after, err := CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Errorf("CPU time did not grow over a 300ms busy loop (%d iterations): %v then %v", n, before, after)
	}
	if _, err := RSS(-1); err == nil {
		t.Error("RSS of no process did not fail")
	}
}

// TestChildrenFindsAChild starts a child process and looks for it.
func TestChildrenFindsAChild(t *testing.T) {
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sleep: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	kids, err := Children(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(kids, cmd.Process.Pid) {
		t.Errorf("Children = %v, want it to hold %d", kids, cmd.Process.Pid)
	}
	if _, err := TreeCPUTime(os.Getpid()); err != nil {
		t.Error(err)
	}
}
