package engine

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// Functions run on kept goroutines: each runs once, a goroutine is
// reused once it is free, and a panic reaches the caller of Run.
func TestGoroutines(t *testing.T) {
	g := newGoroutines()
	var mu sync.Mutex
	ran := 0
	for range 100 {
		g.Run(func() {
			mu.Lock()
			ran++
			mu.Unlock()
		})
	}
	if ran != 100 {
		t.Fatalf("ran %d of 100", ran)
	}
	// A goroutine waits again just after its function returns.
	for deadline := time.Now().Add(5 * time.Second); len(g.idle) == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := len(g.idle); n < 1 || n > 3 {
		t.Fatalf("%d goroutines kept after 100 runs one at a time, want 1 (a few at most)", n)
	}

	var wg sync.WaitGroup
	release := make(chan struct{})
	for range maxIdleGoroutines + 10 {
		wg.Add(1)
		g.Go(func() { defer wg.Done(); <-release })
	}
	close(release)
	wg.Wait()
	if n := len(g.idle); n > maxIdleGoroutines {
		t.Fatalf("%d goroutines kept, more than %d", n, maxIdleGoroutines)
	}

	defer func() {
		p, ok := recover().(panicked)
		if !ok || p.value != "boom" || !strings.Contains(p.String(), "goroutines_test.go") {
			t.Fatalf("recovered %v, want the job's panic with its stack", p)
		}
	}()
	g.Run(func() { panic("boom") })
	t.Fatal("Run returned after its function panicked")
}
