package engine

import (
	"fmt"
	"runtime/debug"
)

// goroutines runs functions on goroutines that outlive them, so their
// stacks stay grown. asynq starts a goroutine per task, and a job's
// handler (decode, Redis, gRPC, seal) grows a fresh stack several times
// over, each time copying it: measured at about 8% of the daemon's CPU
// in `make bench` row 1. gRPC servers keep stream workers for the same
// reason (grpc.NumStreamWorkers).
type goroutines struct {
	idle chan chan func()
}

// maxIdleGoroutines bounds the goroutines kept waiting, and so the
// memory their stacks hold.
const maxIdleGoroutines = 64

func newGoroutines() *goroutines {
	return &goroutines{idle: make(chan chan func(), maxIdleGoroutines)}
}

// Go runs f on a kept goroutine, or a new one when none is free.
func (g *goroutines) Go(f func()) {
	select {
	case w := <-g.idle:
		w <- f
	default:
		go g.work(f)
	}
}

// work runs f, then waits for more as long as there is room to wait.
func (g *goroutines) work(f func()) {
	next := make(chan func())
	for {
		f()
		select {
		case g.idle <- next:
		default:
			return
		}
		f = <-next
	}
}

// Run runs f on a kept goroutine and waits for it. A panic in f is
// raised again in the caller's goroutine, where asynq recovers it.
func (g *goroutines) Run(f func()) {
	done := make(chan any, 1)
	g.Go(func() {
		defer func() {
			if r := recover(); r != nil {
				done <- panicked{value: r, stack: debug.Stack()}
				return
			}
			done <- nil
		}()
		f()
	})
	if p, ok := (<-done).(panicked); ok {
		panic(p)
	}
}

// panicked carries a panic from a kept goroutine, with where it was.
type panicked struct {
	value any
	stack []byte
}

func (p panicked) String() string { return fmt.Sprintf("%v\n%s", p.value, p.stack) }
