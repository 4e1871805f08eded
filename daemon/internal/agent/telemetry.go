package agent

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/daemon/internal/telemetry"
)

// observability is what the telemetry block turned on at start. A reload
// does not change it: the block's changes take effect on restart.
type observability struct {
	instruments *telemetry.Instruments
	metrics     *telemetry.Metrics
	collector   *telemetry.Collector
	// stopTracing flushes spans at shutdown; nil when tracing is off.
	stopTracing func(context.Context) error
}

// startTelemetry sets up metrics and tracing from the telemetry block.
// Tracing starts here, before any plugin or job, so the first calls are
// traced too.
func (a *Agent) startTelemetry(ctx context.Context, cfg *config.Config) error {
	t := cfg.Telemetry
	if t == nil {
		return nil
	}
	a.obs.instruments = &telemetry.Instruments{RequestIDs: t.TraceRequestIDs}
	if t.PrometheusMetrics {
		a.obs.metrics = telemetry.NewMetrics(a.opts.Version, a.opts.Commit)
		a.obs.instruments.Metrics = a.obs.metrics
	}
	if t.OTLPEndpoint != "" {
		stop, err := telemetry.StartTracing(ctx, telemetry.TracingOptions{Endpoint: t.OTLPEndpoint, Insecure: t.OTLPInsecure, Version: a.opts.Version})
		if err != nil {
			return fmt.Errorf("telemetry: %w", err)
		}
		a.obs.stopTracing = stop
	}
	return nil
}

// startCollector reads queue and request counts for /metrics on its own
// schedule; it needs the engine's Redis and keys, so it starts after them.
func (a *Agent) startCollector(cfg *config.Config, prefix string) {
	if a.obs.metrics == nil {
		return
	}
	minDeadline := time.Duration(0)
	for _, rt := range cfg.RequestTypes {
		if d := rt.Deadline.Duration; minDeadline == 0 || d < minDeadline {
			minDeadline = d
		}
	}
	a.obs.collector = telemetry.NewCollector(telemetry.CollectorOptions{
		Store:       store.New(a.rdb, cmp.Or(prefix, "dsrhost"), a.keys),
		Inspector:   asynq.NewInspectorFromRedisClient(a.rdb),
		MinDeadline: minDeadline,
		Plugins:     a.pluginHealth,
		Interval:    a.opts.TelemetryInterval,
		Logger:      a.logger.Named("telemetry"),
	})
	a.obs.metrics.Registry().MustRegister(a.obs.collector)
	a.obs.collector.Start()
}

// pluginHealth is the running plugins' health, for /metrics.
func (a *Agent) pluginHealth() []telemetry.PluginHealth {
	a.mu.RLock()
	host := a.host
	a.mu.RUnlock()
	var out []telemetry.PluginHealth
	for _, p := range host.Plugins() {
		h := p.Health()
		out = append(out, telemetry.PluginHealth{Plugin: p.Name(), State: string(h.State), Restarts: h.Restarts})
	}
	return out
}

// Metrics are the daemon's metrics, nil unless prometheus_metrics is set:
// the flow-control limiter and the privacy center record through it (its
// methods accept a nil receiver).
func (a *Agent) Metrics() *telemetry.Metrics { return a.obs.metrics }

// TelemetryRoutes are /metrics and /debug/pprof/ as the telemetry block
// asks, or none without one.
func (a *Agent) TelemetryRoutes() map[string]http.Handler {
	t := a.Config().Telemetry
	if t == nil {
		return nil
	}
	return telemetry.Routes(telemetry.RoutesOptions{
		Metrics: a.obs.metrics, Tokens: a.tokens, Profiling: t.Profiling, Logger: a.logger.Named("telemetry"),
	})
}

// stopTelemetry stops the collector and flushes spans.
func (a *Agent) stopTelemetry() {
	if a.obs.collector != nil {
		a.obs.collector.Stop()
	}
	if a.obs.stopTracing != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.obs.stopTracing(ctx); err != nil {
			a.logger.Warn("flushing traces failed", "error", err)
		}
	}
}

// flowWaitHook tells the daemon's metrics, and then also, when set, the
// caller's hook, of each job that waits for flow control.
func (a *Agent) flowWaitHook(also func(integration, reason string)) func(integration, reason string) {
	return func(integration, reason string) {
		a.Metrics().FlowWait(integration, reason, 0)
		if also != nil {
			also(integration, reason)
		}
	}
}
