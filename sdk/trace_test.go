package sdk

import (
	"context"
	"net"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	connectorv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/connector/v1"
)

// TestSpanContextReachesTheConnector: a call made inside a host span
// reaches the connector's method with that span's trace (through the gRPC
// metadata, with the server and dial options Serve and ClientConfig use),
// and a call without one carries no trace.
func TestSpanContextReachesTheConnector(t *testing.T) {
	seen := make(chan trace.SpanContext, 2)
	c := &fakeConnector{access: func(ctx context.Context, _ *AccessRequest) (*AccessResponse, error) {
		seen <- SpanContext(ctx)
		return &AccessResponse{}, nil
	}}
	srv := traceServer(nil)
	connectorv1.RegisterConnectorServiceServer(srv, newGRPCServer(func() Connector { return c }, Logger()))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(l.Addr().String(), append(traceDialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	remote := &grpcClient{client: connectorv1.NewConnectorServiceClient(conn)}
	// Jobs reach only configured integrations.
	if _, err := remote.Configure(context.Background(), &ConfigureRequest{Integration: "crm"}); err != nil {
		t.Fatal(err)
	}

	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracetest.NewSpanRecorder()))
	ctx, span := tp.Tracer("test").Start(context.Background(), "host call")
	defer span.End()
	if _, err := remote.Access(ctx, &AccessRequest{Job: Job{IdempotencyKey: "k", RequestID: "r", Integration: "crm"}}); err != nil {
		t.Fatal(err)
	}
	if got := <-seen; got.TraceID() != span.SpanContext().TraceID() || !got.IsRemote() {
		t.Errorf("connector saw trace %v (remote %v), want %v", got.TraceID(), got.IsRemote(), span.SpanContext().TraceID())
	}
	if _, err := remote.Access(context.Background(), &AccessRequest{Job: Job{IdempotencyKey: "k2", RequestID: "r", Integration: "crm"}}); err != nil {
		t.Fatal(err)
	}
	if got := <-seen; got.IsValid() {
		t.Errorf("untraced call carried trace %v", got.TraceID())
	}
}
