// Package echo is the anchor of the plugin call overhead benchmark: the
// least a go-plugin gRPC plugin can be, one unary method that returns its
// argument. It is launched the way the daemon launches connectors (gRPC
// only, AutoMTLS), so the difference between an echo call and a connector
// call is what dsrhost's plugin host and SDK add.
//
// The service is declared by hand with a grpc.ServiceDesc over a
// well-known message (google.protobuf.BytesValue), so the anchor needs no
// generated code of its own.
package echo

import (
	"context"
	"errors"
	"os/exec"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Handshake keeps the echo binary from being mistaken for a connector:
// its cookie differs from the SDK's.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "DSRHOST_BENCH_ECHO_COOKIE",
	MagicCookieValue: "echo",
}

// pluginName is the name the plugin is dispensed under.
const pluginName = "echo"

// method is the full gRPC method name of the one call.
const method = "/dsrhost.bench.v1.EchoService/Echo"

// Echoer is the host's view of the plugin.
type Echoer interface {
	// Echo returns payload as the plugin received it.
	Echo(ctx context.Context, payload []byte) ([]byte, error)
}

// Serve runs the echo plugin until the host stops it. Call it from main.
func Serve() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         plugin.PluginSet{pluginName: &grpcPlugin{}},
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger:          hclog.NewNullLogger(),
	})
}

// ClientConfig launches the echo binary with the options the daemon uses
// for connectors (sdk.ClientConfig): gRPC only and AutoMTLS.
func ClientConfig(cmd *exec.Cmd) *plugin.ClientConfig {
	return &plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          plugin.PluginSet{pluginName: &grpcPlugin{}},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           hclog.NewNullLogger(),
	}
}

// Dispense starts the plugin process behind client if needed and returns
// its Echoer.
func Dispense(client *plugin.Client) (Echoer, error) {
	rpc, err := client.Client()
	if err != nil {
		return nil, err
	}
	raw, err := rpc.Dispense(pluginName)
	if err != nil {
		return nil, err
	}
	e, ok := raw.(Echoer)
	if !ok {
		return nil, errors.New("echo plugin dispensed something else")
	}
	return e, nil
}

// grpcPlugin is the go-plugin glue for both sides.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
}

var _ plugin.GRPCPlugin = (*grpcPlugin)(nil)

func (*grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	s.RegisterService(&serviceDesc, server{})
	return nil
}

func (*grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return client{conn: c}, nil
}

// echoServer is the interface grpc checks the implementation against.
type echoServer interface {
	echo(context.Context, *wrapperspb.BytesValue) (*wrapperspb.BytesValue, error)
}

type server struct{}

func (server) echo(_ context.Context, in *wrapperspb.BytesValue) (*wrapperspb.BytesValue, error) {
	return in, nil
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "dsrhost.bench.v1.EchoService",
	HandlerType: (*echoServer)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Echo",
		Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.BytesValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			if interceptor == nil {
				return srv.(echoServer).echo(ctx, in)
			}
			info := &grpc.UnaryServerInfo{Server: srv, FullMethod: method}
			return interceptor(ctx, in, info, func(ctx context.Context, req any) (any, error) {
				return srv.(echoServer).echo(ctx, req.(*wrapperspb.BytesValue))
			})
		},
	}},
	Metadata: "dsrhost/bench/v1/echo.proto",
}

type client struct{ conn *grpc.ClientConn }

func (c client) Echo(ctx context.Context, payload []byte) ([]byte, error) {
	out := new(wrapperspb.BytesValue)
	if err := c.conn.Invoke(ctx, method, wrapperspb.Bytes(payload), out); err != nil {
		return nil, err
	}
	return out.GetValue(), nil
}
