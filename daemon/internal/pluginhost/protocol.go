package pluginhost

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/go-plugin"
)

// ProtocolVersionError refuses a plugin that speaks no version of the
// connector protocol the daemon supports.
type ProtocolVersionError struct {
	// Plugin is the plugin's name.
	Plugin string
	// PluginVersion is the protocol version the plugin offered.
	PluginVersion int
	// Supported are the versions this daemon speaks.
	Supported []int
}

// Error names both sides' versions and what to do about it; Start wraps it
// with the plugin's name.
func (e *ProtocolVersionError) Error() string {
	vs := make([]string, len(e.Supported))
	for i, v := range e.Supported {
		vs[i] = strconv.Itoa(v)
	}
	return fmt.Sprintf("protocol version mismatch: the plugin speaks connector protocol version %d, but this daemon supports version %s; use a plugin built for this dsrhost release",
		e.PluginVersion, strings.Join(vs, ", "))
}

// goPluginVersionMismatch matches the error go-plugin's client returns when
// the handshake finds no common version, e.g. "incompatible API version
// with plugin. Plugin version: 99, Client versions: [1]".
var goPluginVersionMismatch = regexp.MustCompile(`incompatible API version with plugin\. Plugin version: (\d+)`)

// asProtocolError turns go-plugin's version mismatch error into a
// *ProtocolVersionError; any other error is returned unchanged.
func asProtocolError(name string, cfg *plugin.ClientConfig, err error) error {
	m := goPluginVersionMismatch.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	v, convErr := strconv.Atoi(m[1])
	if convErr != nil {
		return err
	}
	return &ProtocolVersionError{Plugin: name, PluginVersion: v, Supported: supportedVersions(cfg)}
}

// supportedVersions lists the protocol versions the client configuration
// offers, in order.
func supportedVersions(cfg *plugin.ClientConfig) []int {
	var vs []int
	for v := range cfg.VersionedPlugins {
		vs = append(vs, v)
	}
	if len(vs) == 0 && cfg.ProtocolVersion != 0 {
		vs = append(vs, int(cfg.ProtocolVersion))
	}
	slices.Sort(vs)
	return vs
}
