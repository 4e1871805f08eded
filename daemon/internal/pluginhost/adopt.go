package pluginhost

import (
	"bytes"

	"slices"
)

// Reusable reports whether the running plugin p can serve spec as it is,
// so a reload need not relaunch it: same name, command, arguments and
// configured checksum, not stopped, and, when no checksum is configured,
// a binary on disk that still hashes to the one p was launched from.
// Settings never need a relaunch: Configure applies them to a running
// plugin.
func (p *Plugin) Reusable(spec Spec) bool {
	if p.spec.Name != spec.Name || p.spec.Command != spec.Command || !slices.Equal(p.spec.Args, spec.Args) || p.spec.SHA256 != spec.SHA256 {
		return false
	}
	p.mu.Lock()
	stopped, pinned := p.stopped, slices.Clone(p.checksum)
	p.mu.Unlock()
	if stopped {
		return false
	}
	if spec.SHA256 != "" {
		return true
	}
	sum, err := HashFile(spec.Command)
	return err == nil && bytes.Equal(sum, pinned)
}

// Adopt moves a running plugin from its host to h, keeping its process,
// so a reload carries unchanged plugins over: closing the old host then
// leaves it running. Abandon hands it back.
func (h *Host) Adopt(p *Plugin) error {
	old := p.owner()
	if old == h {
		return nil
	}
	if err := h.reserve(p.spec.Name); err != nil {
		return err
	}
	old.mu.Lock()
	if old.plugins[p.spec.Name] == p {
		delete(old.plugins, p.spec.Name)
	}
	old.mu.Unlock()
	h.mu.Lock()
	h.plugins[p.spec.Name] = p
	if h.adopted == nil {
		h.adopted = map[*Plugin]*Host{}
	}
	h.adopted[p] = old
	h.mu.Unlock()
	p.setOwner(h)
	p.logger.Debug("plugin carried over unchanged", "pid", p.Health().PID)
	return nil
}

// Abandon gives up a host whose configuration was not applied: plugins it
// adopted go back to the hosts they came from, still running, and the rest
// are closed.
func (h *Host) Abandon() {
	h.mu.Lock()
	adopted := h.adopted
	h.adopted = nil
	h.mu.Unlock()
	for p, old := range adopted {
		h.mu.Lock()
		delete(h.plugins, p.spec.Name)
		h.mu.Unlock()
		old.mu.Lock()
		old.plugins[p.spec.Name] = p
		old.mu.Unlock()
		p.setOwner(old)
	}
	h.Close()
}

func (p *Plugin) owner() *Host {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.host
}

func (p *Plugin) setOwner(h *Host) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.host = h
}

// Commit keeps what h adopted for good, once its configuration is applied:
// Abandon can no longer hand it back, and the old host is not referenced.
func (h *Host) Commit() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.adopted = nil
}
