// Package pluginhost launches, supervises and stops the daemon's connector
// plugins.
//
// Each plugin is a binary (dsrhost-plugin-<name>) launched through
// HashiCorp go-plugin with the same client configuration sdktest uses
// ([sdk.ClientConfig]): gRPC only, automatic mutual TLS, and the go-plugin
// handshake, which negotiates the connector protocol version. A plugin
// speaking no version the daemon supports is refused with a
// [*ProtocolVersionError] naming both sides.
//
// Before every launch, the first and every restart, the host hashes the
// binary just before exec and refuses a mismatch with a [*ChecksumError]
// naming the binary and both hashes. Launches of one binary at the same
// moment (integrations sharing a plugin) share that hash. A plugin
// configured without a sha256 has the hash seen at its first launch pinned
// (with one warning), so a binary swapped under a running daemon is refused
// on restart.
//
// A goroutine per plugin watches its process. When the process dies the
// host restarts it with exponential backoff ([Options.InitialBackoff] doubling
// up to [Options.MaxBackoff]), calls Describe again and re-applies the
// settings of every integration configured through [Plugin.Configure]. A
// restart that fails, for a wrong checksum too, is retried with the same
// backoff for as long as the host runs, so restoring the right binary heals
// the plugin without restarting the daemon; [Plugin.Health] shows the state
// (failed, with the reason, while the checksum is wrong). Calls in flight
// when the process died fail with an *sdk.Error of type plugin_crashed,
// which is retryable; calls made while the plugin is down fail the same way
// at once rather than waiting.
//
// Plugin log lines reach the daemon's log through hclog under
// "plugin.<name>". The plugin is launched knowing the daemon's log level,
// so it never sends a line the daemon would drop: a connector's per-call
// Debug line costs nothing under the default info level. The host's own
// log lines carry the plugin's name, the restart attempt and the backoff,
// never request data.
//
// Typical use:
//
//	host := pluginhost.New(logger, pluginhost.Options{})
//	defer host.Close()
//	p, err := host.Start(ctx, pluginhost.Spec{Name: "heap", Command: "bin/dsrhost-plugin-heap", SHA256: sum})
//	if err != nil { ... }
//	resp, err := p.Configure(ctx, &sdk.ConfigureRequest{Integration: "heap", Settings: settings})
//	res, err := p.Connector().Access(ctx, &sdk.AccessRequest{Job: job})
package pluginhost
