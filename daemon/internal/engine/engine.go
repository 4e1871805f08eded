package engine

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hibiken/asynq"
	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/daemon/internal/telemetry"
)

// Engine runs privacy requests. Its methods are safe for concurrent use.
type Engine struct {
	rdb   redis.UniversalClient
	store *store.Store
	conns Connectors
	opts  Options
	log   hclog.Logger

	client *asynq.Client
	insp   *asynq.Inspector

	mu  sync.RWMutex
	cfg *compiled

	ulidMu  sync.Mutex
	entropy io.Reader

	runMu   sync.Mutex
	srv     *asynq.Server
	served  map[string]int // the queues srv serves
	idle    time.Duration  // how often srv looks for work when it finds none
	stop    chan struct{}
	stopped sync.WaitGroup

	kept *goroutines // where jobs run (see goroutines)
}

// New returns an engine over rdb (a single node, failover or cluster
// client). It enqueues work at once but runs none until Start, so an
// engine that only serves the admin API need not be started. Call
// Shutdown when done.
func New(rdb redis.UniversalClient, cfg Config, conns Connectors, opts Options) (*Engine, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	c, err := compile(cfg)
	if err != nil {
		return nil, fmt.Errorf("engine configuration: %w", err)
	}
	return &Engine{
		rdb:     rdb,
		store:   store.New(rdb, o.Prefix, o.Keys),
		conns:   conns,
		opts:    o,
		log:     o.Logger.Named("engine"),
		client:  asynq.NewClientFromRedisClient(rdb),
		insp:    asynq.NewInspectorFromRedisClient(rdb),
		cfg:     c,
		entropy: ulid.Monotonic(rand.Reader, 0),
		kept:    newGoroutines(),
	}, nil
}

// SetConfig replaces the configuration, as on SIGHUP. Requests already
// planned keep their integrations; an integration removed from the
// configuration fails its next job as invalid_config.
func (e *Engine) SetConfig(cfg Config) error {
	c, err := compile(cfg)
	if err != nil {
		return fmt.Errorf("engine configuration: %w", err)
	}
	e.mu.Lock()
	e.cfg = c
	e.mu.Unlock()
	e.serveQueues()
	return nil
}

func (e *Engine) config() *compiled {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.cfg
}

// Start runs jobs: an asynq server on the engine's queues and the
// reconciler. Shutdown stops them.
func (e *Engine) Start() error {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	if e.srv != nil {
		return errors.New("engine already started")
	}
	queues := e.queues()
	srv, err := e.startServer(queues)
	if err != nil {
		return err
	}
	e.srv, e.served, e.idle = srv, queues, e.idleInterval()
	e.stop = make(chan struct{})
	e.stopped.Add(1)
	go e.prepareReport(e.stop)
	if e.opts.ReconcileInterval > 0 {
		e.stopped.Add(1)
		go e.reconcileLoop(e.stop)
	}
	return nil
}

// startServer starts an asynq server on queues.
func (e *Engine) startServer(queues map[string]int) (*asynq.Server, error) {
	level := asynq.WarnLevel
	if e.log.IsDebug() {
		level = asynq.DebugLevel
	}
	srv := asynq.NewServerFromRedisClient(e.rdb, asynq.Config{
		Concurrency:              e.opts.Concurrency,
		Queues:                   queues,
		TaskCheckInterval:        e.idleInterval(),
		DelayedTaskCheckInterval: e.opts.SchedulerInterval,
		ShutdownTimeout:          e.opts.ShutdownTimeout,
		RetryDelayFunc:           retryDelay,
		Logger:                   asynqLogger{e.log.Named("asynq")},
		LogLevel:                 level,
		IsFailure:                func(err error) bool { return !expectedRetry(err) },
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			if expectedRetry(err) {
				return
			}
			e.log.Warn("job failed and will be retried", "task", t.Type(), "error", err)
		}),
	})
	mux := asynq.NewServeMux()
	mux.Use(e.onKeptGoroutine, telemetry.TaskMiddleware)
	mux.HandleFunc(taskRun, e.handleRun)
	mux.HandleFunc(taskPoll, e.handlePoll)
	mux.HandleFunc(taskDue, e.handleDue)
	mux.HandleFunc(taskRemind, e.handleRemind)
	if err := srv.Start(mux); err != nil {
		return nil, fmt.Errorf("start job server: %w", err)
	}
	return srv, nil
}

// onKeptGoroutine runs a task's handler on a kept goroutine, whose stack
// a previous job has grown, rather than on the new one asynq started.
func (e *Engine) onKeptGoroutine(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) (err error) {
		e.kept.Run(func() { err = next.ProcessTask(ctx, t) })
		return err
	})
}

// Shutdown stops running jobs, waiting up to ShutdownTimeout for those in
// flight; unfinished ones go back to the queue for any engine to run. The
// engine still serves calls and enqueues work, and Start runs jobs again.
// The Redis client passed to New stays open (asynq shares it).
func (e *Engine) Shutdown() {
	e.runMu.Lock()
	srv, stop := e.srv, e.stop
	e.srv, e.stop, e.served = nil, nil, nil
	e.runMu.Unlock()
	if srv == nil {
		return
	}
	close(stop)
	srv.Shutdown()
	e.stopped.Wait()
	if e.opts.Flow != nil {
		// Slots kept for the next call go back now, for other daemons.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := e.opts.Flow.Flush(ctx); err != nil {
			e.log.Warn("could not give back flow-control slots; they expire with their leases", "error", err)
		}
	}
}

// infraRetryDelay spaces asynq's own retries, which happen only when a job
// could not reach Redis or was interrupted: the integration's
// retry_interval governs connector failures.
func infraRetryDelay(n int, _ error, _ *asynq.Task) time.Duration {
	d := time.Second << min(n, 6)
	return min(d, time.Minute)
}

func (e *Engine) now() time.Time { return e.opts.Clock().UTC() }

func (e *Engine) newID(now time.Time) string {
	e.ulidMu.Lock()
	defer e.ulidMu.Unlock()
	return ulid.MustNew(ulid.Timestamp(now), e.entropy).String()
}

// errNoChange ends an update without writing.
var errNoChange = errors.New("no change")

// update reads request id, lets fn decide and stage changes in tx, and
// commits them; on a concurrent change it reads again and lets fn decide
// again. fn returning errNoChange ends without writing.
func (e *Engine) update(ctx context.Context, id string, fn func(snap *store.Snapshot, tx *store.Tx) error) (*store.Snapshot, error) {
	return e.updateFrom(ctx, id, nil, fn)
}

// updateFrom is update deciding first on fresh, a snapshot the caller
// has read, instead of reading it again; nil reads it. Commits are
// compared-and-set all the same, so a change since fresh was read makes
// the commit conflict and fn decide again on a new read.
func (e *Engine) updateFrom(ctx context.Context, id string, fresh *store.Snapshot, fn func(snap *store.Snapshot, tx *store.Tx) error) (*store.Snapshot, error) {
	for attempt := 0; ; attempt++ {
		snap, given := fresh, fresh != nil
		fresh = nil
		if !given {
			var err error
			if snap, err = e.load(ctx, id); err != nil {
				return nil, err
			}
		}
		tx := e.store.NewTx(id)
		if err := fn(snap, tx); err != nil {
			if errors.Is(err, errNoChange) {
				return snap, nil
			}
			return snap, err
		}
		if tx.Empty() {
			return snap, nil
		}
		e.attend(snap, tx)
		_, err := e.store.Commit(ctx, tx)
		if err == nil {
			return snap, nil
		}
		if !errors.Is(err, store.ErrConflict) || attempt >= 100 {
			return nil, err
		}
		if given {
			// The request changed since the caller read it: read it now.
			continue
		}
		// Back off a little so contending writers spread out.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt+1) * time.Millisecond):
		}
	}
}

func (e *Engine) load(ctx context.Context, id string) (*store.Snapshot, error) {
	return e.loadWith(ctx, id, nil)
}

// loadWith is load with also's commands in the read's pipeline
// (store.LoadWith).
func (e *Engine) loadWith(ctx context.Context, id string, also func(redis.Pipeliner)) (*store.Snapshot, error) {
	if _, err := ulid.ParseStrict(id); err != nil {
		return nil, fmt.Errorf("request id %q is not a ULID: %w", id, ErrInvalidArgument)
	}
	snap, err := e.store.LoadWith(ctx, id, also)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("request %s: %w", id, ErrNotFound)
	}
	return snap, err
}
