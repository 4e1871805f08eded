package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// createRequests files n requests of type rt through the engine, from
// several goroutines, as concurrent admin API calls would.
func createRequests(b testing.TB, e *engine.Engine, rt sdk.RequestType, n int) {
	b.Helper()
	parallel(b, n, func(i int) error {
		_, err := e.Create(context.Background(), engine.CreateInput{
			Type: rt, Subject: sdk.Subject{Email: fmt.Sprintf("subject-%d@example.com", i)}, Actor: "bench",
		})
		return err
	})
}

// countStage counts the requests in stage st, page by page.
func countStage(b testing.TB, e *engine.Engine, st state.Stage) int {
	b.Helper()
	n, cursor := 0, ""
	for {
		page, next, err := e.List(context.Background(), engine.Filter{Stage: st}, cursor, 1000)
		must(b, err)
		n += len(page)
		if next == "" {
			return n
		}
		cursor = next
	}
}

// parallelism is how many goroutines parallel uses: enough to keep Redis
// busy through round trips.
const parallelism = 32

// parallel calls f(0..n-1) from parallelism goroutines, failing on the
// first error.
func parallel(b testing.TB, n int, f func(i int) error) {
	b.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range parallelism {
		wg.Go(func() {
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
