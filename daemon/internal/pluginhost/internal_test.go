package pluginhost

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
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

// Launches of one binary at the same moment share one hash of it; a
// launch after that hashes it again, and a mismatch refuses every launch
// that shared the hash.
func TestCheckShared(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dsrhost-plugin-x")
	if err := os.WriteFile(path, []byte("a plugin binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	want, err := HashFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var hashes atomic.Int32
	entered, release := make(chan struct{}, 8), make(chan struct{})
	hashFile = func(p string) ([]byte, error) {
		hashes.Add(1)
		entered <- struct{}{}
		<-release
		return HashFile(p)
	}
	t.Cleanup(func() { hashFile = HashFile })

	h := New(nil, Options{})
	for _, c := range []struct {
		name string
		sum  []byte
		ok   bool
	}{{"right", want, true}, {"wrong", make([]byte, sha256Size), false}} {
		hashes.Store(0)
		errs := make(chan error, 3)
		go func() { errs <- h.checkShared(path, c.sum) }()
		<-entered // the first launch is hashing
		for range 2 {
			go func() { errs <- h.checkShared(path, c.sum) }()
		}
		time.Sleep(50 * time.Millisecond) // the other two join it
		close(release)
		for range 3 {
			err := <-errs
			var cerr *ChecksumError
			if c.ok && err != nil || !c.ok && !errors.As(err, &cerr) {
				t.Fatalf("%s checksum: launch got %v", c.name, err)
			}
		}
		if n := hashes.Load(); n != 1 {
			t.Fatalf("%s checksum: three launches at once hashed the binary %d times, want 1", c.name, n)
		}
		release = make(chan struct{})
	}

	close(release) // a later launch hashes again
	if err := h.checkShared(path, want); err != nil || hashes.Load() != 2 {
		t.Fatalf("a later launch: %v after %d hashes, want a second hash", err, hashes.Load())
	}
}
