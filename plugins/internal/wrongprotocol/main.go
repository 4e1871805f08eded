// Command wrongprotocol is a plugin that passes go-plugin's magic cookie
// but speaks connector protocol version 99 only, so hosts can test that a
// version mismatch is refused with an error naming both versions. It uses
// go-plugin directly: sdk.Serve would speak the current version.
package main

import (
	"context"
	"errors"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/dsrhost/dsrhost/sdk"
)

// version is a protocol version no host speaks.
const version = 99

// futurePlugin registers no service: no host ever gets past the handshake.
type futurePlugin struct {
	plugin.NetRPCUnsupportedPlugin
}

func (futurePlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error { return nil }

func (futurePlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, errors.New("wrongprotocol is a plugin, not a host")
}

func main() {
	handshake := sdk.Handshake
	handshake.ProtocolVersion = version
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  handshake,
		VersionedPlugins: map[int]plugin.PluginSet{version: {sdk.PluginName: futurePlugin{}}},
		GRPCServer:       plugin.DefaultGRPCServer,
		Logger:           sdk.Logger(),
	})
}
