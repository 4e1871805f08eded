package engine

import (
	"errors"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/daemon/internal/flow"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
)

// Options tune an Engine. Only Keys is required.
type Options struct {
	// Keys seal personal data at rest.
	Keys *seal.KeyRing
	// Prefix starts every Redis key the engine writes (default "dsrhost").
	Prefix string
	// Queue is the asynq queue (default "dsrhost"). Engines sharing work
	// must share Redis, Prefix and Queue.
	Queue string
	// ResultsRetention is how long access results are kept after a
	// request closes (default 30 days).
	ResultsRetention time.Duration
	// Clock gives the time for due dates, labels and history (default
	// time.Now). asynq schedules in real time regardless.
	Clock  func() time.Time
	Logger hclog.Logger
	// Concurrency is how many jobs this engine runs at once (default 10).
	Concurrency int
	// MinPollInterval is the floor under every poll delay (default 1s).
	MinPollInterval time.Duration
	// CallTimeout bounds one connector call of an integration whose spec
	// sets none (default 10m).
	CallTimeout time.Duration
	// CommitGrace is how long a run task waits for its connector call to
	// answer before committing the attempt's start: a call answering
	// within it commits "Processing Request submitted" and its outcome in
	// one compare-and-set (one Redis round trip instead of two); a slower
	// one is shown as Processing once it ends. Default 250ms; negative
	// commits the start before every call. Direct Contact calls always
	// commit their start first: the processor may answer the emailed
	// link before the call returns.
	CommitGrace time.Duration
	// SchedulerInterval is how often scheduled tasks are moved to the
	// queue when due (asynq DelayedTaskCheckInterval, default 5s).
	SchedulerInterval time.Duration
	// IdleInterval is how long an idle worker waits before looking for
	// work again (asynq TaskCheckInterval, default 1s).
	IdleInterval time.Duration
	// ReconcileInterval is how often the engine visits the requests whose
	// next commit is overdue (see ReconcileDue), re-enqueueing work a crash
	// may have lost between a state change and its enqueue, and applying
	// passed due dates (default 1m; negative disables both passes).
	ReconcileInterval time.Duration
	// FullReconcileInterval is how often the engine re-checks every
	// request in Process (Reconcile), a backstop for state the attention
	// entries cannot vouch for, such as a Redis that lost writes (default
	// 1h; the first full pass comes one interval after Start).
	FullReconcileInterval time.Duration
	// ShutdownTimeout is how long Shutdown lets running jobs finish
	// before they are handed back to the queue (default 10s).
	ShutdownTimeout time.Duration
	// Flow enforces each integration's concurrency and rate limits
	// (IntegrationSpec.Flow) across engines; nil enforces none.
	Flow *flow.Limiter
	// ResponseURL builds Direct Contact links; without it jobs carry none.
	ResponseURL ResponseURLFunc
	// Transient shapes the waits after transient errors (plugin_crashed,
	// unavailable, timeout, rate_limited): by default 2s doubling to 15m,
	// 8 in a row before the attempt counts as failed.
	Transient TransientPolicy
}

func (o Options) withDefaults() (Options, error) {
	if o.Keys == nil {
		return o, errors.New("engine options: an encryption key ring is required")
	}
	if o.Prefix == "" {
		o.Prefix = "dsrhost"
	}
	if o.Queue == "" {
		o.Queue = "dsrhost"
	}
	if o.ResultsRetention <= 0 {
		o.ResultsRetention = 30 * 24 * time.Hour
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = hclog.NewNullLogger()
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 10
	}
	if o.MinPollInterval <= 0 {
		o.MinPollInterval = time.Second
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 10 * time.Minute
	}
	if o.CommitGrace == 0 {
		o.CommitGrace = 250 * time.Millisecond
	}
	if o.SchedulerInterval <= 0 {
		o.SchedulerInterval = 5 * time.Second
	}
	if o.IdleInterval <= 0 {
		o.IdleInterval = time.Second
	}
	if o.ReconcileInterval == 0 {
		o.ReconcileInterval = time.Minute
	}
	if o.FullReconcileInterval <= 0 {
		o.FullReconcileInterval = time.Hour
	}
	if o.Transient.Initial <= 0 {
		o.Transient.Initial = 2 * time.Second
	}
	if o.Transient.Max <= 0 {
		o.Transient.Max = 15 * time.Minute
	}
	if o.Transient.Max < o.Transient.Initial {
		o.Transient.Max = o.Transient.Initial
	}
	if o.Transient.Retries <= 0 {
		o.Transient.Retries = 8
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 10 * time.Second
	}
	return o, nil
}
