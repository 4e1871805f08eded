package sdk

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

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

// processStderr is the process's real stderr, taken before go-plugin's
// Serve swaps os.Stderr for a pipe: the host parses the JSON lines written
// here into its own log, with their levels and key/value pairs, under the
// plugin's name.
var processStderr = os.Stderr

var pluginLogger = sync.OnceValue(func() hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Level:      pluginLogLevel(),
		Output:     processStderr,
		JSONFormat: true,
	})
})

// logLevelEnv carries the host's log level to the plugin process. Every
// line a plugin logs costs a JSON encoding and a pipe write there and a
// JSON parse in the host, which then drops it if it is below its own
// level; knowing that level, the plugin never writes such a line, and a
// connector's per-call Debug lines cost next to nothing.
const logLevelEnv = "DSRHOST_PLUGIN_LOG_LEVEL"

// pluginLogLevel is the level the host asked for, or Trace (send
// everything, the host filters) when the host did not say, as a host not
// built on [ClientConfig] would not.
func pluginLogLevel() hclog.Level {
	if l := hclog.LevelFromString(os.Getenv(logLevelEnv)); l != hclog.NoLevel {
		return l
	}
	return hclog.Trace
}

// withLogLevel tells the plugin launched by cmd the host's log level;
// NoLevel, a logger with no level of its own, says nothing. go-plugin
// appends the host's own environment after cmd.Env, so a logLevelEnv set
// there wins.
func withLogLevel(cmd *exec.Cmd, level hclog.Level) {
	if level == hclog.NoLevel {
		return
	}
	cmd.Env = append(cmd.Env, logLevelEnv+"="+level.String())
}

// Serve runs a connector plugin until the daemon stops it. Call it from
// main with the connector's constructor:
//
//	func main() { sdk.Serve(connector.New) }
//
// One plugin process serves every integration that uses the plugin. Serve
// calls newConnector once per integration (and once more for Describe), and
// each integration's Configure and jobs reach only its own value, so a
// connector may keep its settings on its struct. Before Configure, the
// settings are checked against the schema Describe declares (see
// [Schema.Validate]); a connector sees only settings that passed, with
// defaults filled in.
//
// Serve exits the process with a clear message when the connector's
// declared capabilities do not match the interfaces it implements, or when
// run by hand. The plugin runs with GOMAXPROCS=1 unless the GOMAXPROCS
// environment variable says otherwise: connectors wait on third parties,
// and extra threads only burn CPU the daemon needs.
func Serve[C Connector](newConnector func() C) {
	var factory func() Connector
	if newConnector != nil {
		factory = func() Connector { return newConnector() }
	}
	if err := checkFactory(factory); err != nil {
		// "[ERROR]" lets go-plugin log the line at error level on the host;
		// a person running the binary reads it as plain text.
		fmt.Fprintf(processStderr, "[ERROR] dsrhost connector cannot start: %v\n", err)
		os.Exit(1)
	}
	oneProcessor()
	go exitWithParent(os.Getppid(), time.Second)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: pluginSets(factory),
		GRPCServer:       traceServer,
		Logger:           Logger(),
	})
}

// checkFactory checks the connector a constructor makes.
func checkFactory(newConnector func() Connector) error {
	if newConnector == nil {
		return errors.New("no connector constructor given to sdk.Serve")
	}
	return checkConnector(newConnector())
}

// Logger returns the logger a connector should use: its lines reach the
// daemon's log under the plugin's name. It is set to the daemon's level, so
// a line below it (a per-call Debug line under the default info level)
// costs no more than the level check. Never log personal data or secrets.
func Logger() hclog.Logger {
	return pluginLogger()
}

// ClientConfig is how a host launches a connector binary: gRPC only,
// AutoMTLS, the handshake and versioned plugin set, and the binary's SHA-256
// checked before launch. The plugin is told logger's level, so its
// [Logger] writes no line the host would drop. The daemon and sdktest both
// use it, so a connector is tested exactly as it runs.
func ClientConfig(cmd *exec.Cmd, checksum []byte, logger hclog.Logger) *plugin.ClientConfig {
	cfg := &plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: pluginSets(nil),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		// go-plugin leaves this off by default; with it each launch gets a
		// fresh certificate pair and the connection is mutually
		// authenticated.
		AutoMTLS: true,
		Logger:   logger,
		// The host's span goes with each call (see SpanContext).
		GRPCDialOptions: traceDialOptions(),
	}
	if checksum != nil {
		cfg.SecureConfig = &plugin.SecureConfig{Checksum: checksum, Hash: sha256.New()}
	}
	if logger != nil && cmd != nil {
		withLogLevel(cmd, logger.GetLevel())
		// What a connector prints to os.Stdout or os.Stderr after Serve
		// arrives through go-plugin's stdio stream; keep it in the log.
		w := logger.Named(filepath.Base(cmd.Path)).StandardWriter(&hclog.StandardLoggerOptions{InferLevels: true})
		cfg.SyncStdout = w
		cfg.SyncStderr = w
	}
	return cfg
}

// Dispense returns the connector behind a client made from [ClientConfig],
// starting the plugin process if it is not running yet.
func Dispense(client *plugin.Client) (Remote, error) {
	if client == nil {
		return nil, fmt.Errorf("dispense connector: no plugin client")
	}
	rpc, err := client.Client()
	if err != nil {
		// go-plugin's own text names both protocol versions on a mismatch.
		return nil, fmt.Errorf("start connector plugin (host speaks connector protocol version %d): %w", ProtocolVersion, err)
	}
	raw, err := rpc.Dispense(PluginName)
	if err != nil {
		return nil, fmt.Errorf("dispense connector: %w", err)
	}
	remote, ok := raw.(Remote)
	if !ok {
		return nil, fmt.Errorf("dispense connector: plugin gave a %T, not a connector", raw)
	}
	return remote, nil
}
