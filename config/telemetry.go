package config

import "github.com/hashicorp/hcl/v2"

// Telemetry is the telemetry block: Prometheus metrics and pprof on a
// listener, and OpenTelemetry traces sent to an OTLP collector.
type Telemetry struct {
	// PrometheusMetrics serves /metrics.
	PrometheusMetrics bool
	// Listen is where /metrics and /debug/pprof/ are served; empty serves
	// them on server.listen beside the admin API.
	Listen string
	// Profiling serves net/http/pprof under /debug/pprof/, to admin
	// tokens only (default true).
	Profiling bool
	// OTLPEndpoint is the host:port of an OTLP gRPC collector; traces are
	// off when empty.
	OTLPEndpoint string
	// OTLPInsecure sends traces without TLS (a collector on localhost).
	OTLPInsecure bool
	// TraceRequestIDs puts request ids on spans as attributes. Off by
	// default: a request id links a trace to a person's request.
	TraceRequestIDs bool
	DeclRange       hcl.Range
}

var telemetrySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "prometheus_metrics"},
		{Name: "listen"},
		{Name: "profiling"},
		{Name: "otlp_endpoint"},
		{Name: "otlp_insecure"},
		{Name: "trace_request_ids"},
	},
}

func (d *decoder) telemetry(blk *hcl.Block) *Telemetry {
	t := &Telemetry{Profiling: true, DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(telemetrySchema)
	d.add(diags...)
	attrs := content.Attributes
	for name, dst := range map[string]*bool{
		"prometheus_metrics": &t.PrometheusMetrics,
		"profiling":          &t.Profiling,
		"otlp_insecure":      &t.OTLPInsecure,
		"trace_request_ids":  &t.TraceRequestIDs,
	} {
		if a := attrs[name]; a != nil {
			if v, ok := d.boolean(a); ok {
				*dst = v
			}
		}
	}
	if a := attrs["listen"]; a != nil {
		if v, _, ok := d.str(a); ok {
			if validHostPort(v, true) {
				t.Listen = v
			} else {
				d.errorAt(a.Expr.Range(), "Invalid listen address",
					`The telemetry listen address must be host:port, such as "127.0.0.1:9102"; leave it out to serve /metrics on server.listen.`)
			}
		}
	}
	if a := attrs["otlp_endpoint"]; a != nil {
		if v, _, ok := d.str(a); ok {
			if validHostPort(v, false) {
				t.OTLPEndpoint = v
			} else {
				d.errorAt(a.Expr.Range(), "Invalid OTLP endpoint",
					`otlp_endpoint must be the host:port of an OTLP gRPC collector, such as "127.0.0.1:4317".`)
			}
		}
	}
	return t
}
