package sdktest

import (
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// Config says how to run a connector for the conformance checks.
type Config struct {
	// Binary is the plugin binary, for example from [Build].
	Binary string
	// Args are passed to the binary.
	Args []string
	// ValidSettings configure the connector for the job checks; they must
	// draw no error diagnostic. Like the daemon, the harness fills in
	// the schema's defaults for absent top-level attributes and sends the
	// result as a JSON object.
	ValidSettings map[string]any
	// SecondSettings configure a second integration in the same plugin
	// process, as the daemon does when two integrations use one plugin.
	// Point them at a second fake of the third party holding other records
	// for Subject: the harness then proves each integration's calls reach
	// its own settings. When nil, ValidSettings are used again and only
	// the routing is exercised.
	SecondSettings map[string]any
	// InvalidSettings are cases that must each draw an error diagnostic at
	// their WantPath.
	InvalidSettings []SettingsCase
	// Subject is whom the jobs are about; a fixed fake subject when empty.
	Subject sdk.Subject
	// MaxPolls bounds the polls of a Pending answer before the harness
	// reports that it never finished; 20 when zero.
	MaxPolls int
	// PollInterval is waited between polls; none when zero, whatever the
	// connector's PollAfter suggests, so tests stay fast.
	PollInterval time.Duration
	// CallTimeout bounds each call to the connector; 30s when zero.
	CallTimeout time.Duration
}

// SettingsCase is one wrong settings block and where the connector must
// say it is wrong.
type SettingsCase struct {
	Name string
	// Settings are applied over Config.ValidSettings key by key; a nil
	// value removes the key.
	Settings map[string]any
	// WantPath is the attribute path an error diagnostic must carry, for
	// example []string{"token"}.
	WantPath []string
}

// defaultSubject is a subject made of reserved example values.
var defaultSubject = sdk.Subject{Email: "conformance@example.com", UserID: "sdktest-user"}

func (c Config) withDefaults() Config {
	if c.MaxPolls <= 0 {
		c.MaxPolls = 20
	}
	if c.CallTimeout <= 0 {
		c.CallTimeout = 30 * time.Second
	}
	if c.Subject.Email == "" && c.Subject.Phone == "" && c.Subject.UserID == "" && len(c.Subject.Identifiers) == 0 {
		c.Subject = defaultSubject
	}
	return c
}
