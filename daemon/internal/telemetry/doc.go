// Package telemetry is what operators watch the daemon through: Prometheus
// metrics (/metrics), OpenTelemetry traces sent over OTLP, and pprof
// (/debug/pprof/, admin tokens only), as the telemetry block configures.
//
// Metrics are recorded at seams, not inside the workflow engine: connector
// calls through [Metrics.Remote] (jobs and latency per integration), the
// queue and request counts by a [Collector] that reads Redis on its own
// schedule (never per scrape), plugin health from the plugin host at
// scrape time, and flow-control waits and privacy-center events through
// the small recording methods their packages call.
//
// No label carries personal data or a request id: labels are integration,
// plugin and queue names from the configuration, workflow states, stages,
// outcomes and error types, all bounded sets. Request ids reach traces
// only when the operator sets trace_request_ids.
package telemetry
