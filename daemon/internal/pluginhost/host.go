package pluginhost

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sync/singleflight"

	"github.com/dsrhost/dsrhost/sdk"
)

// ErrClosed is returned by Start once the host is closed.
var ErrClosed = errors.New("plugin host is closed")

// Host launches and supervises the daemon's plugins.
type Host struct {
	logger hclog.Logger
	opts   Options

	mu      sync.Mutex
	plugins map[string]*Plugin
	closed  bool
	// adopted are the plugins carried over from another host (Adopt), with
	// that host, for Abandon to hand back.
	adopted map[*Plugin]*Host

	checks singleflight.Group // binary checks shared by launches (checkShared)
}

// New returns a host that logs under logger.Named("plugin"), each plugin
// under its own name below that.
func New(logger hclog.Logger, opts Options) *Host {
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	warmCurve()
	return &Host{
		logger:  logger.Named("plugin"),
		opts:    opts.withDefaults(),
		plugins: map[string]*Plugin{},
	}
}

// Start launches the plugin described by spec, checks its binary and
// protocol version, calls Describe, and supervises it until it is closed.
// A wrong checksum fails with a *ChecksumError, a protocol mismatch with a
// *ProtocolVersionError; both are wrapped with the plugin's name.
func (h *Host) Start(ctx context.Context, spec Spec) (*Plugin, error) {
	sum, err := spec.validate()
	if err != nil {
		return nil, fmt.Errorf("plugin %q: %w", spec.Name, err)
	}
	if err := h.reserve(spec.Name); err != nil {
		return nil, err
	}
	p := &Plugin{
		host:     h,
		spec:     spec,
		opts:     h.opts,
		logger:   h.logger.Named(spec.Name),
		checksum: sum,
		settings: map[string]sdk.Settings{},
		redact:   newRedactor(),
		done:     make(chan struct{}),
	}
	p.remote = &remote{p: p}

	inst, desc, err := p.launch(ctx)
	if err != nil {
		h.release(spec.Name)
		return nil, fmt.Errorf("launch plugin %q: %w", spec.Name, err)
	}
	p.cur, p.desc = inst, desc
	p.setHealthLocked(StateHealthy, "", inst.pid)
	supervisorCtx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel

	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		cancel()
		inst.kill()
		return nil, ErrClosed
	}
	h.plugins[spec.Name] = p
	h.mu.Unlock()

	go p.supervise(supervisorCtx)
	p.logger.Info("plugin started", "version", desc.Version, "pid", inst.pid)
	return p, nil
}

// reserve claims a plugin name so two plugins cannot share it.
func (h *Host) reserve(name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	if _, dup := h.plugins[name]; dup {
		return fmt.Errorf("plugin %q is already started", name)
	}
	h.plugins[name] = nil
	return nil
}

// release gives up a name reserved by a launch that failed.
func (h *Host) release(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p, ok := h.plugins[name]; ok && p == nil {
		delete(h.plugins, name)
	}
}

// forget removes a closed plugin.
func (h *Host) forget(p *Plugin) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.plugins[p.spec.Name] == p {
		delete(h.plugins, p.spec.Name)
	}
}

// Plugin returns the started plugin called name.
func (h *Host) Plugin(name string) (*Plugin, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.plugins[name]
	return p, p != nil
}

// Plugins returns the started plugins, ordered by name.
func (h *Host) Plugins() []*Plugin {
	h.mu.Lock()
	defer h.mu.Unlock()
	ps := make([]*Plugin, 0, len(h.plugins))
	for _, p := range h.plugins {
		if p != nil {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b *Plugin) int { return cmp.Compare(a.spec.Name, b.spec.Name) })
	return ps
}

// Close kills every plugin and waits for their processes to exit; later
// Starts fail with ErrClosed. It is safe to call more than once.
func (h *Host) Close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range h.Plugins() {
		wg.Go(p.Close)
	}
	wg.Wait()
}
