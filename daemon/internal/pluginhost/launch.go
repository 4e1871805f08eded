package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/dsrhost/dsrhost/sdk"
)

// instance is one running process of a plugin.
type instance struct {
	client  *plugin.Client
	remote  sdk.Remote
	pid     int
	started time.Time
}

// exited reports whether the process has ended.
func (i *instance) exited() bool { return i.client.Exited() }

// kill stops the process and waits for it; safe to call more than once.
func (i *instance) kill() { i.client.Kill() }

// launch verifies the binary's checksum, starts the process, and asks it to
// Describe itself. On error no process is left running.
func (p *Plugin) launch(ctx context.Context) (*instance, *sdk.Description, error) {
	cmd := exec.Command(p.spec.Command, p.spec.Args...)
	if cmd.Err != nil {
		return nil, nil, fmt.Errorf("find plugin binary: %w", cmd.Err)
	}
	sum, err := p.verify(cmd.Path)
	if err != nil {
		return nil, nil, err
	}

	cfg := sdk.ClientConfig(cmd, sum, newRedactingLogger(p.logger, p.redact))
	// These are what the host promises whatever the sdk defaults become:
	// mutual TLS, gRPC only, and a bounded handshake. verify has just
	// checked the binary (see checkShared), so go-plugin need not hash it
	// again.
	cfg.SecureConfig = nil
	cfg.AutoMTLS = true
	cfg.AllowedProtocols = []plugin.Protocol{plugin.ProtocolGRPC}
	cfg.StartTimeout = p.opts.StartTimeout
	cfg.Managed = false

	client := plugin.NewClient(cfg)
	if _, err := client.Start(); err != nil {
		client.Kill()
		return nil, nil, asProtocolError(p.spec.Name, cfg, err)
	}
	inst := &instance{client: client, started: time.Now()}
	if rc := client.ReattachConfig(); rc != nil {
		inst.pid = rc.Pid
	}
	inst.remote, err = sdk.Dispense(client)
	if err != nil {
		inst.kill()
		return nil, nil, fmt.Errorf("connect to plugin: %w", err)
	}

	dctx, cancel := context.WithTimeout(ctx, p.opts.StartTimeout)
	defer cancel()
	desc, err := inst.remote.Describe(dctx)
	if err == nil && desc == nil {
		err = errors.New("empty description")
	}
	if err != nil {
		inst.kill()
		return nil, nil, fmt.Errorf("describe: %w", err)
	}
	return inst, desc, nil
}

// verify checks the binary at path, right before its launch, against the
// configured or pinned checksum, and returns it; without either, it pins
// the binary's own. Launches of one binary at the same moment share the
// hash (Host.checkShared): three integrations of one plugin started
// together read it once, not three times (a third of the CPU of a start
// with three plugins).
func (p *Plugin) verify(path string) ([]byte, error) {
	p.mu.Lock()
	want := p.checksum
	p.mu.Unlock()
	if want != nil {
		if err := p.host.checkShared(path, want); err != nil {
			return nil, err
		}
		return want, nil
	}
	got, err := p.host.hashShared(path)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.checksum == nil {
		p.checksum = got
		p.logger.Warn("plugin has no sha256 configured; pinning the hash of the binary at first launch, so a replaced binary is refused on restart",
			"path", path, "sha256", fmt.Sprintf("%x", got))
	}
	return p.checksum, nil
}
