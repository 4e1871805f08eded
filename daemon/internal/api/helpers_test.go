package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// bearer is a client interceptor that sends a token (none when empty).
type bearer string

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if b != "" {
			req.Header().Set("Authorization", "Bearer "+string(b))
		}
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if b != "" {
			conn.RequestHeader().Set("Authorization", "Bearer "+string(b))
		}
		return conn
	}
}

func (b bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// clients are the four admin services' clients as one caller sees them.
type clients struct {
	requests      adminv1connect.RequestServiceClient
	integrations  adminv1connect.IntegrationServiceClient
	config        adminv1connect.ConfigServiceClient
	directContact adminv1connect.DirectContactServiceClient
}

// protocol is a way to reach the server.
type protocol struct {
	name   string
	client func(t testing.TB) *http.Client
	opts   []connect.ClientOption
}

var protocols = []protocol{
	{name: "connect-json-http1", client: apitest.HTTP1Client, opts: []connect.ClientOption{connect.WithProtoJSON()}},
	{name: "connect-proto-h2c", client: apitest.H2CClient},
	{name: "grpc", client: apitest.H2CClient, opts: []connect.ClientOption{connect.WithGRPC()}},
	{name: "grpc-web-http1", client: apitest.HTTP1Client, opts: []connect.ClientOption{connect.WithGRPCWeb()}},
}

func newClients(t testing.TB, srv *apitest.Server, p protocol, token string) clients {
	t.Helper()
	hc := p.client(t)
	opts := append([]connect.ClientOption{connect.WithInterceptors(bearer(token))}, p.opts...)
	return clients{
		requests:      adminv1connect.NewRequestServiceClient(hc, srv.URL, opts...),
		integrations:  adminv1connect.NewIntegrationServiceClient(hc, srv.URL, opts...),
		config:        adminv1connect.NewConfigServiceClient(hc, srv.URL, opts...),
		directContact: adminv1connect.NewDirectContactServiceClient(hc, srv.URL, opts...),
	}
}

// codeOf returns the Connect code of err, 0 for nil.
func codeOf(err error) connect.Code {
	if err == nil {
		return 0
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce.Code()
	}
	return connect.CodeUnknown
}

func wantCode(t testing.TB, err error, want connect.Code, mentions ...string) {
	t.Helper()
	if got := codeOf(err); got != want {
		t.Fatalf("error %v: code %v, want %v", err, got, want)
	}
	for _, m := range mentions {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not mention %q", err.Error(), m)
		}
	}
}

func asConnect(err error, target **connect.Error) bool { return errors.As(err, target) }
