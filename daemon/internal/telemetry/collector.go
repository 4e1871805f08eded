package telemetry

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hibiken/asynq"
	"github.com/oklog/ulid/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
)

// DefaultRefreshInterval is how often a Collector reads Redis.
const DefaultRefreshInterval = 15 * time.Second

// PluginHealth is one plugin's supervision, as the plugin host reports it.
type PluginHealth struct {
	Plugin   string
	State    string
	Restarts int
}

// CollectorOptions say where a Collector reads from.
type CollectorOptions struct {
	// Store counts requests by stage and finds overdue ones.
	Store *store.Store
	// Inspector reads asynq's queues.
	Inspector *asynq.Inspector
	// MinDeadline is the shortest request-type deadline: a request
	// younger than it cannot be overdue, so the overdue count reads only
	// older open requests (request ids are ULIDs, ordered by creation).
	MinDeadline time.Duration
	// Plugins reports the plugins' health at scrape time (it is in memory).
	Plugins func() []PluginHealth
	// Interval is how often Redis is read (default 15s).
	Interval time.Duration
	Clock    func() time.Time
	Logger   hclog.Logger
}

// Collector serves gauges read from Redis on its own schedule, so a
// scrape never waits for Redis and many scrapers cost nothing extra.
type Collector struct {
	opts CollectorOptions

	mu       sync.Mutex
	snapshot gauges

	stop chan struct{}
	done chan struct{}
}

// gauges is one reading of Redis.
type gauges struct {
	stages  map[string]int64
	overdue int64
	queues  []*asynq.QueueInfo
	ok      bool
}

var (
	descStage      = prometheus.NewDesc("dsrhost_requests", "Requests by stage.", []string{"stage"}, nil)
	descOverdue    = prometheus.NewDesc("dsrhost_requests_overdue", "Open requests past their due date.", nil, nil)
	descQueue      = prometheus.NewDesc("dsrhost_queue_tasks", "asynq tasks by queue and state (pending, active, scheduled: polls and retries waiting their time, retry, archived).", []string{"queue", "state"}, nil)
	descLatency    = prometheus.NewDesc("dsrhost_queue_latency_seconds", "Age of the oldest pending task, by queue.", []string{"queue"}, nil)
	descRestarts   = prometheus.NewDesc("dsrhost_plugin_restarts_total", "Plugin process restarts since the plugin was launched (a reload launches anew).", []string{"plugin"}, nil)
	descHealth     = prometheus.NewDesc("dsrhost_plugin_health", "1 for the plugin's current state (healthy, restarting, failed, stopped).", []string{"plugin", "state"}, nil)
	descRefreshAge = prometheus.NewDesc("dsrhost_telemetry_refresh_ok", "1 when the last reading of Redis for these gauges succeeded.", nil, nil)
)

// NewCollector returns a collector; Start it to begin reading.
func NewCollector(o CollectorOptions) *Collector {
	if o.Interval <= 0 {
		o.Interval = DefaultRefreshInterval
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = hclog.NewNullLogger()
	}
	return &Collector{opts: o, stop: make(chan struct{}), done: make(chan struct{})}
}

// Start reads Redis now and then every Interval until Stop.
func (c *Collector) Start() {
	go func() {
		defer close(c.done)
		t := time.NewTicker(c.opts.Interval)
		defer t.Stop()
		for {
			c.Refresh(context.Background())
			select {
			case <-c.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the reading loop.
func (c *Collector) Stop() {
	close(c.stop)
	<-c.done
}

// Refresh reads Redis once; Start calls it on its schedule.
func (c *Collector) Refresh(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Interval)
	defer cancel()
	g, err := c.read(ctx)
	if err != nil {
		c.opts.Logger.Warn("metrics: reading Redis failed; serving the last reading", "error", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.snapshot.ok = false
		return
	}
	c.snapshot = g
}

func (c *Collector) read(ctx context.Context) (gauges, error) {
	g := gauges{stages: map[string]int64{}, ok: true}
	if s := c.opts.Store; s != nil {
		for _, st := range []state.Stage{state.StageReview, state.StageProcess, state.StageReply, state.StageClosed} {
			n, err := s.CountStage(ctx, st)
			if err != nil {
				return g, err
			}
			g.stages[st.Code()] = n
		}
		n, err := c.overdue(ctx)
		if err != nil {
			return g, err
		}
		g.overdue = n
	}
	if in := c.opts.Inspector; in != nil {
		names, err := in.Queues()
		if err != nil {
			return g, err
		}
		for _, q := range names {
			info, err := in.GetQueueInfo(q)
			if err != nil {
				return g, err
			}
			g.queues = append(g.queues, info)
		}
	}
	return g, nil
}

// errPastCutoff ends a scan at the first request too young to be overdue.
var errPastCutoff = errors.New("past cutoff")

// overdue counts open requests whose due date has passed, reading only
// those older than the shortest deadline.
func (c *Collector) overdue(ctx context.Context) (int64, error) {
	now := c.opts.Clock()
	cutoff := now.Add(-c.opts.MinDeadline)
	var n int64
	for _, st := range []state.Stage{state.StageReview, state.StageProcess, state.StageReply} {
		var batch []string
		count := func() error {
			snaps, err := c.opts.Store.LoadMany(ctx, batch)
			if err != nil {
				return err
			}
			for _, s := range snaps {
				if s != nil && !s.Request.DueAt.IsZero() && s.Request.DueAt.Before(now) {
					n++
				}
			}
			batch = batch[:0]
			return nil
		}
		err := c.opts.Store.Scan(ctx, st, func(id string) error {
			if u, err := ulid.ParseStrict(id); err == nil && ulid.Time(u.Time()).After(cutoff) {
				return errPastCutoff
			}
			if batch = append(batch, id); len(batch) == 100 {
				return count()
			}
			return nil
		})
		if err != nil && !errors.Is(err, errPastCutoff) {
			return 0, err
		}
		if len(batch) > 0 {
			if err := count(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descStage, descOverdue, descQueue, descLatency, descRestarts, descHealth, descRefreshAge} {
		ch <- d
	}
}

// Collect implements prometheus.Collector from the last reading.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	g := c.snapshot
	c.mu.Unlock()
	for stage, n := range g.stages {
		ch <- prometheus.MustNewConstMetric(descStage, prometheus.GaugeValue, float64(n), stage)
	}
	if c.opts.Store != nil {
		ch <- prometheus.MustNewConstMetric(descOverdue, prometheus.GaugeValue, float64(g.overdue))
	}
	for _, q := range g.queues {
		for st, n := range map[string]int{"pending": q.Pending, "active": q.Active, "scheduled": q.Scheduled, "retry": q.Retry, "archived": q.Archived} {
			ch <- prometheus.MustNewConstMetric(descQueue, prometheus.GaugeValue, float64(n), q.Queue, st)
		}
		ch <- prometheus.MustNewConstMetric(descLatency, prometheus.GaugeValue, q.Latency.Seconds(), q.Queue)
	}
	ok := 0.0
	if g.ok {
		ok = 1
	}
	ch <- prometheus.MustNewConstMetric(descRefreshAge, prometheus.GaugeValue, ok)
	if c.opts.Plugins != nil {
		for _, p := range c.opts.Plugins() {
			ch <- prometheus.MustNewConstMetric(descRestarts, prometheus.CounterValue, float64(p.Restarts), p.Plugin)
			ch <- prometheus.MustNewConstMetric(descHealth, prometheus.GaugeValue, 1, p.Plugin, p.State)
		}
	}
}
