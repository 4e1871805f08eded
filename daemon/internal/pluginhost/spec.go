package pluginhost

import (
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Spec is one plugin block of the configuration: what to launch and what it
// must hash to.
type Spec struct {
	// Name is the plugin block's label. It names the plugin in logs, errors
	// and health, and is unique within a Host.
	Name string
	// Command is the path of the plugin binary, used as given (a relative
	// path is relative to the daemon's working directory).
	Command string
	// Args are passed to the binary.
	Args []string
	// SHA256 is the binary's expected SHA-256 in hex. Empty pins the hash
	// seen at the first launch instead.
	SHA256 string
}

// validate reports what is wrong with the spec, and decodes its checksum
// (nil when none is configured).
func (s Spec) validate() ([]byte, error) {
	var errs []error
	if s.Name == "" {
		errs = append(errs, errors.New("plugin name is empty"))
	}
	if s.Command == "" {
		errs = append(errs, errors.New("plugin command is empty"))
	}
	var sum []byte
	if s.SHA256 != "" {
		b, err := hex.DecodeString(s.SHA256)
		if err != nil || len(b) != sha256Size {
			errs = append(errs, fmt.Errorf("sha256 %q is not 64 hexadecimal digits", s.SHA256))
		} else {
			sum = b
		}
	}
	return sum, errors.Join(errs...)
}

// Options tune supervision. The zero value gives the production defaults.
type Options struct {
	// InitialBackoff is the wait before the first restart of a dead plugin;
	// each consecutive failure doubles it. Default 1s.
	InitialBackoff time.Duration
	// MaxBackoff caps the wait between restarts. A plugin that stayed up
	// at least this long before dying starts again from InitialBackoff.
	// Default 1m.
	MaxBackoff time.Duration
	// ExitPollInterval is how often the process is checked for exit
	// (go-plugin exposes exit only as a flag). Default 250ms.
	ExitPollInterval time.Duration
	// StartTimeout bounds a launch: the go-plugin handshake, and Describe
	// and Configure during a restart. Default 1m.
	StartTimeout time.Duration
	// CrashLoopRestarts is how many restarts in a row, none staying up
	// MaxBackoff, make a crash loop: while one lasts, jobs for the
	// plugin's integrations fail instead of waiting. Default 5.
	CrashLoopRestarts int
}

func (o Options) withDefaults() Options {
	if o.InitialBackoff <= 0 {
		o.InitialBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Minute
	}
	if o.MaxBackoff < o.InitialBackoff {
		o.MaxBackoff = o.InitialBackoff
	}
	if o.CrashLoopRestarts <= 0 {
		o.CrashLoopRestarts = 5
	}
	if o.ExitPollInterval <= 0 {
		o.ExitPollInterval = 250 * time.Millisecond
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = time.Minute
	}
	return o
}

// backoff is the wait before a restart after failures consecutive
// failures (1 or more): InitialBackoff doubled each time, capped.
func (o Options) backoff(failures int) time.Duration {
	d := o.InitialBackoff
	for i := 1; i < failures && d < o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.MaxBackoff)
}
