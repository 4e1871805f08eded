package pluginhost

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
)

func TestBackoff(t *testing.T) {
	o := Options{InitialBackoff: time.Second, MaxBackoff: 10 * time.Second}.withDefaults()
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{1, time.Second},
		{2, 2 * time.Second},
		{3, 4 * time.Second},
		{4, 8 * time.Second},
		{5, 10 * time.Second},
		{1000, 10 * time.Second},
	}
	for _, tt := range tests {
		if got := o.backoff(tt.failures); got != tt.want {
			t.Errorf("backoff(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.InitialBackoff != time.Second || o.MaxBackoff != time.Minute || o.ExitPollInterval <= 0 || o.StartTimeout != time.Minute {
		t.Errorf("defaults = %+v", o)
	}
	if o := (Options{InitialBackoff: time.Hour}).withDefaults(); o.MaxBackoff != time.Hour {
		t.Errorf("MaxBackoff below InitialBackoff = %v, want raised to %v", o.MaxBackoff, time.Hour)
	}
}

func TestSpecValidate(t *testing.T) {
	good := strings.Repeat("0a", 32)
	tests := []struct {
		name    string
		spec    Spec
		wantErr []string
		wantSum bool
	}{
		{"complete", Spec{Name: "heap", Command: "bin/x", SHA256: good}, nil, true},
		{"no checksum", Spec{Name: "heap", Command: "bin/x"}, nil, false},
		{"everything missing", Spec{SHA256: "xyz"}, []string{"name is empty", "command is empty", `sha256 "xyz"`}, false},
		{"short checksum", Spec{Name: "heap", Command: "bin/x", SHA256: "abcd"}, []string{"64 hexadecimal digits"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, err := tt.spec.validate()
			if (sum != nil) != tt.wantSum {
				t.Errorf("checksum = %x, want one: %v", sum, tt.wantSum)
			}
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("validate() = %v, want nil", err)
			}
			for _, want := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("validate() = %v, want it to mention %q", err, want)
				}
			}
		})
	}
}

func TestAsProtocolError(t *testing.T) {
	cfg := &plugin.ClientConfig{VersionedPlugins: map[int]plugin.PluginSet{2: nil, 1: nil}}
	tests := []struct {
		name string
		err  error
		want *ProtocolVersionError
	}{
		{"go-plugin mismatch",
			errors.New("start connector plugin (host speaks connector protocol version 1): incompatible API version with plugin. Plugin version: 99, Client versions: [2 1]"),
			&ProtocolVersionError{Plugin: "p", PluginVersion: 99, Supported: []int{1, 2}}},
		{"other error", errors.New("plugin exited before we could connect"), nil},
		{"core protocol mismatch", errors.New("incompatible core API version with plugin. Plugin version: 2, Core version: 1"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := asProtocolError("p", cfg, tt.err)
			var perr *ProtocolVersionError
			if !errors.As(got, &perr) {
				if tt.want != nil {
					t.Fatalf("asProtocolError() = %v, want %+v", got, tt.want)
				}
				if got != tt.err {
					t.Errorf("asProtocolError() = %v, want the error unchanged", got)
				}
				return
			}
			if tt.want == nil {
				t.Fatalf("asProtocolError() = %+v, want the error unchanged", perr)
			}
			if perr.Plugin != tt.want.Plugin || perr.PluginVersion != tt.want.PluginVersion || !slices.Equal(perr.Supported, tt.want.Supported) {
				t.Errorf("asProtocolError() = %+v, want %+v", perr, tt.want)
			}
			if msg := perr.Error(); !strings.Contains(msg, "version 99") || !strings.Contains(msg, "supports version 1, 2") {
				t.Errorf("Error() = %q, want both versions named", msg)
			}
		})
	}
}
