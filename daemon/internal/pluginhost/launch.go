package pluginhost

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
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
	// the checksum checked again by go-plugin right before exec, mutual
	// TLS, gRPC only, and a bounded handshake.
	cfg.SecureConfig = &plugin.SecureConfig{Checksum: sum, Hash: sha256.New()}
	cfg.AutoMTLS = true
	cfg.AllowedProtocols = []plugin.Protocol{plugin.ProtocolGRPC}
	cfg.StartTimeout = p.opts.StartTimeout
	cfg.Managed = false

	client := plugin.NewClient(cfg)
	if _, err := client.Start(); err != nil {
		client.Kill()
		if errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
			// The binary changed between our hash and go-plugin's.
			if cerr := checkSum(cmd.Path, sum); cerr != nil {
				return nil, nil, cerr
			}
		}
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

// verify returns the checksum a launch must match: the configured or
// pinned one, or, without either, the binary's own, pinned from now on.
// A known checksum is not hashed here: go-plugin's SecureConfig hashes
// the binary right before exec, and launch names both hashes when it
// refuses (hashing twice was a sixth of a start with three plugins).
func (p *Plugin) verify(path string) ([]byte, error) {
	p.mu.Lock()
	want := p.checksum
	p.mu.Unlock()
	if want != nil {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("plugin binary: %w", err)
		}
		return want, nil
	}
	got, err := HashFile(path)
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
