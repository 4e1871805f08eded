package telemetry

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	"github.com/hibiken/asynq"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"
)

// instrumentation names dsrhost's tracer.
const instrumentation = "github.com/dsrhost/dsrhost/daemon"

// Propagator carries trace context between processes: W3C traceparent
// only. Baggage is not propagated, as a caller could put anything in it.
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// tracer is dsrhost's tracer from the global provider: a no-op until
// StartTracing (or a test) installs one.
func tracer() trace.Tracer { return otel.Tracer(instrumentation) }

// TracingOptions say where traces go.
type TracingOptions struct {
	// Endpoint is the OTLP gRPC collector's host:port.
	Endpoint string
	// Insecure sends without TLS.
	Insecure bool
	// Version is the service.version resource attribute.
	Version string
}

// StartTracing installs a global tracer provider that batches spans to an
// OTLP gRPC collector. Call the returned function at shutdown to flush.
// The exporter connects lazily: a collector that is down loses spans, it
// does not stop the daemon.
func StartTracing(ctx context.Context, o TracingOptions) (shutdown func(context.Context) error, err error) {
	opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(o.Endpoint)}
	if o.Insecure {
		opts = append(opts, otlptracegrpc.WithInsecure())
	}
	exp, err := otlptracegrpc.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter for %s: %w", o.Endpoint, err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(
		semconv.ServiceName("dsrhost"), semconv.ServiceVersion(o.Version)))
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

// TaskHeaders are the asynq task headers carrying ctx's span to the job
// that runs the task, or nil when ctx has none.
func TaskHeaders(ctx context.Context) map[string]string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return nil
	}
	c := propagation.MapCarrier{}
	Propagator.Inject(ctx, c)
	return c
}

// TaskMiddleware runs each asynq task in a span, child of the span whose
// context TaskHeaders put on the task when it was enqueued.
func TaskMiddleware(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		ctx = Propagator.Extract(ctx, propagation.MapCarrier(t.Headers()))
		ctx, span := tracer().Start(ctx, "task "+t.Type(), trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithAttributes(attribute.String("messaging.system", "asynq"), attribute.String("dsrhost.task", t.Type())))
		defer span.End()
		err := next.ProcessTask(ctx, t)
		if err != nil {
			span.SetStatus(codes.Error, "task failed")
		}
		return err
	})
}

// NewServerTracing is a Connect interceptor that runs each admin API
// call in a server span, continuing the caller's trace from its
// traceparent header.
func NewServerTracing() connect.Interceptor { return serverTracing{} }

type serverTracing struct{}

func (serverTracing) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		ctx, span := startServerSpan(ctx, req.Spec().Procedure, req.Header())
		defer span.End()
		res, err := next(ctx, req)
		endServerSpan(span, err)
		return res, err
	}
}

func (serverTracing) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (serverTracing) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, span := startServerSpan(ctx, conn.Spec().Procedure, conn.RequestHeader())
		defer span.End()
		err := next(ctx, conn)
		endServerSpan(span, err)
		return err
	}
}

func startServerSpan(ctx context.Context, procedure string, h interface{ Get(string) string }) (context.Context, trace.Span) {
	ctx = Propagator.Extract(ctx, headerCarrier{h})
	return tracer().Start(ctx, procedure, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("rpc.system", "connect_rpc"), attribute.String("rpc.method", procedure)))
}

func endServerSpan(span trace.Span, err error) {
	if err == nil {
		return
	}
	code := connect.CodeOf(err)
	span.SetAttributes(attribute.String("rpc.connect_rpc.error_code", code.String()))
	var ce *connect.Error
	if errors.As(err, &ce) && code != connect.CodeInternal && code != connect.CodeUnknown && code != connect.CodeUnavailable {
		return // the caller's mistake, not the server's
	}
	span.SetStatus(codes.Error, code.String())
}

// headerCarrier reads a header for extraction only.
type headerCarrier struct {
	h interface{ Get(string) string }
}

func (c headerCarrier) Get(key string) string { return c.h.Get(key) }
func (c headerCarrier) Set(string, string)    {}
func (c headerCarrier) Keys() []string        { return nil }
