package sdk

import (
	"context"
	"runtime"

	"github.com/hashicorp/go-plugin"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// SpanContext returns the trace context of the daemon's call that ctx
// belongs to: the context passed to a connector's Access, Delete and poll
// methods carries the daemon's span (W3C trace context, sent in the gRPC
// metadata), so a connector can log the trace id, or start child spans
// with its own OpenTelemetry tracer provider and export them to the same
// collector. It is invalid when the daemon has tracing off.
func SpanContext(ctx context.Context) trace.SpanContext {
	return trace.SpanContextFromContext(ctx)
}

// tracePropagator carries trace context over the plugin connection: W3C
// traceparent only, never baggage.
var tracePropagator = propagation.TraceContext{}

// traceDialOptions send the host's span with every call to the plugin.
func traceDialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithPropagators(tracePropagator)))}
}

// traceServer is go-plugin's gRPC server with the host's span read from
// each call's metadata into the context connector methods receive. Calls
// are served by a fixed set of workers rather than a goroutine each, so a
// busy plugin does not grow a fresh goroutine stack for every call.
func traceServer(opts []grpc.ServerOption) *grpc.Server {
	opts = append(opts, grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithPropagators(tracePropagator))),
		grpc.NumStreamWorkers(uint32(max(runtime.GOMAXPROCS(0), 4))))
	return plugin.DefaultGRPCServer(opts)
}
