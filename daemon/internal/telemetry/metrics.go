package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds every dsrhost metric on its own registry (so tests and
// several daemons in one process do not share counters).
type Metrics struct {
	reg *prometheus.Registry

	jobsStarted  *prometheus.CounterVec
	jobsFinished *prometheus.CounterVec
	callLatency  *prometheus.HistogramVec
	flowWaits    *prometheus.CounterVec
	flowWaitTime *prometheus.HistogramVec
	pcSubmitted  *prometheus.CounterVec
	pcVerified   *prometheus.CounterVec
}

// Outcomes of a finished job besides the sdk's error types.
const (
	OutcomeComplete = "complete"
	// OutcomeError is an error that carried no sdk error type.
	OutcomeError = "error"
)

// NewMetrics registers the metrics, with Go runtime and process metrics
// and dsrhost_build_info labelled with version and commit.
func NewMetrics(version, commit string) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		jobsStarted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsrhost_jobs_started_total",
			Help: "Connector jobs started (Access or Delete calls), by integration and workflow state.",
		}, []string{"integration", "workflow"}),
		jobsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsrhost_jobs_finished_total",
			Help: "Connector jobs finished, by integration, workflow state and outcome: complete, or the error type (rate_limited, auth, plugin_crashed, ...). A job answered pending finishes when a poll ends it.",
		}, []string{"integration", "workflow", "outcome"}),
		callLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dsrhost_connector_call_duration_seconds",
			Help:    "Duration of connector calls, by integration and method (Access, PollAccess, Delete, PollDelete).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"integration", "method"}),
		flowWaits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsrhost_flow_control_waits_total",
			Help: "Jobs that waited for flow control before calling a connector, by integration and reason (concurrency, rate_limit).",
		}, []string{"integration", "reason"}),
		flowWaitTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dsrhost_flow_control_wait_seconds",
			Help:    "How long jobs waited for flow control, by integration.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10),
		}, []string{"integration"}),
		pcSubmitted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsrhost_privacy_center_submissions_total",
			Help: "Requests submitted through the privacy center, by request type.",
		}, []string{"request_type"}),
		pcVerified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsrhost_privacy_center_verifications_total",
			Help: "Privacy-center identity verifications, by outcome (verified, wrong, expired, reused, locked, rate_limited).",
		}, []string{"outcome"}),
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "dsrhost_build_info",
		Help: "Always 1; the labels say which dsrhost runs.",
	}, []string{"version", "commit"})
	build.WithLabelValues(version, commit).Set(1)
	m.reg.MustRegister(m.jobsStarted, m.jobsFinished, m.callLatency, m.flowWaits, m.flowWaitTime,
		m.pcSubmitted, m.pcVerified, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where collectors such as [Collector] are registered.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// FlowWait records a job that waited before its connector call: reason is
// "concurrency" or "rate_limit". The flow-control limiter calls it (its
// OnWait hook).
func (m *Metrics) FlowWait(integration, reason string, waited time.Duration) {
	if m == nil {
		return
	}
	m.flowWaits.WithLabelValues(integration, reason).Inc()
	if waited > 0 {
		// A hook that cannot know the wait yet (the limiter's, which
		// sends the job back) counts it without a time.
		m.flowWaitTime.WithLabelValues(integration).Observe(waited.Seconds())
	}
}

// PrivacyCenterSubmission records a request submitted through the
// privacy center. Only the type is recorded: never the subject.
func (m *Metrics) PrivacyCenterSubmission(requestType string) {
	if m == nil {
		return
	}
	m.pcSubmitted.WithLabelValues(requestType).Inc()
}

// PrivacyCenterVerification records the end of an identity verification:
// outcome is a fixed word ("verified", "expired", "invalid").
func (m *Metrics) PrivacyCenterVerification(outcome string) {
	if m == nil {
		return
	}
	m.pcVerified.WithLabelValues(outcome).Inc()
}
