package sdktest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// recorder is a T that keeps failures instead of failing the test, so the
// harness's own tests can assert that a check fails.
type recorder struct {
	t *testing.T

	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

var _ T = (*recorder)(nil)

func (r *recorder) Helper()                    {}
func (r *recorder) Name() string               { return r.t.Name() }
func (r *recorder) TempDir() string            { return r.t.TempDir() }
func (r *recorder) Logf(f string, args ...any) { r.t.Logf(f, args...) }

func (r *recorder) Errorf(f string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(f, args...))
}

// Fatalf records and stops the calling goroutine, as testing.T does.
func (r *recorder) Fatalf(f string, args ...any) {
	r.Errorf("FATAL: "+f, args...)
	runtime.Goexit()
}

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errors) > 0
}

func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *recorder) report() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errors, "\n")
}

// record runs f against a recorder on its own goroutine (Fatalf ends it)
// and runs the recorder's cleanups when f is done.
func record(t *testing.T, f func(T)) *recorder {
	t.Helper()
	r := &recorder{t: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	return r
}
