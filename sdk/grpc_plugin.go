package sdk

import (
	"context"
	"errors"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	connectorv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/connector/v1"
)

// connectorPlugin is the go-plugin glue of the examples/grpc pattern: on
// the plugin side it serves a Connector over dsrhost.connector.v1, on the
// host side it hands out a Remote. Neither side sees a proto type.
type connectorPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// newConnector makes one connector per integration; nil on the host
	// side.
	newConnector func() Connector
}

var _ plugin.GRPCPlugin = (*connectorPlugin)(nil)

// pluginSets is the versioned plugin set both sides agree on in the
// handshake; newConnector is nil on the host side.
func pluginSets(newConnector func() Connector) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		ProtocolVersion: {PluginName: &connectorPlugin{newConnector: newConnector}},
	}
}

// GRPCServer registers the connector service.
func (p *connectorPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.newConnector == nil {
		return errors.New("serve connector: no connector given")
	}
	connectorv1.RegisterConnectorServiceServer(s, newGRPCServer(p.newConnector, Logger()))
	return nil
}

// GRPCClient returns the host's view of the connector.
func (p *connectorPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &grpcClient{client: connectorv1.NewConnectorServiceClient(c)}, nil
}
