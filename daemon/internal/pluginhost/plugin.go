package pluginhost

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/sdk"
)

// Plugin is one supervised plugin: its live process, cached description,
// the settings of the integrations using it, and its health.
type Plugin struct {
	host   *Host
	spec   Spec
	opts   Options
	logger hclog.Logger
	remote *remote
	// redact removes subjects' identifiers and sensitive settings from
	// what the plugin says.
	redact *redactor

	// configMu serialises Configure with the re-configuration of a
	// restarted process, so no integration's settings are missed by a
	// restart that happens while they are being applied.
	configMu sync.Mutex

	mu        sync.Mutex
	checksum  []byte
	cur       *instance
	desc      *sdk.Description
	settings  map[string]sdk.Settings
	health    Health
	failures  int
	stopped   bool
	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

// Name is the plugin block's label.
func (p *Plugin) Name() string { return p.spec.Name }

// SHA256 is the hex checksum every launch is checked against: the
// configured one, or the one pinned at first launch.
func (p *Plugin) SHA256() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return hex.EncodeToString(p.checksum)
}

// Describe returns the description the running process gave when it was
// launched. Callers must not modify it.
func (p *Plugin) Describe() *sdk.Description {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.desc
}

// Health returns the plugin's current supervision state.
func (p *Plugin) Health() Health {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.health
}

// Connector returns the plugin's connector. Every call goes to the process
// live at that moment: after a restart, to the new one. A call in flight
// when the process dies, or made while it is down, fails with an
// *sdk.Error of type plugin_crashed, which is retryable.
func (p *Plugin) Connector() sdk.Remote { return p.remote }

// Configure applies one integration's settings. Unless req.ValidateOnly is
// set, settings the connector accepted (no error diagnostics) are
// remembered and applied again to every restarted process; settings it
// rejected leave the last accepted ones in force, as the sdk does in the
// plugin. The integration's sensitive setting values (by the plugin's
// schema) are redacted from the answer, and from everything the plugin
// says about the integration from then on.
func (p *Plugin) Configure(ctx context.Context, req *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	if req == nil {
		return nil, errors.New("configure: nil request")
	}
	var secrets []string
	if d := p.Describe(); d != nil {
		secrets = sensitiveValues(d.Settings, req.Settings)
	}
	release := p.redact.holdValues(secrets)
	defer release()
	p.configMu.Lock()
	defer p.configMu.Unlock()
	resp, err := p.remote.Configure(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("configure integration %q with plugin %q: %w", req.Integration, p.spec.Name, scrubError(err, secrets))
	}
	if resp == nil {
		resp = &sdk.ConfigureResponse{}
	}
	scrubDiagnostics(resp, secrets)
	if req.ValidateOnly || resp.HasErrors() {
		return resp, nil
	}
	p.redact.setSecrets(req.Integration, secrets)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settings[req.Integration] = slices.Clone(req.Settings)
	return resp, nil
}

// Close stops supervising the plugin and kills its process. It is safe to
// call more than once; [Host.Close] closes every plugin.
func (p *Plugin) Close() {
	p.closeOnce.Do(func() {
		p.cancel()
		<-p.done
		p.mu.Lock()
		inst := p.cur
		p.cur = nil
		p.stopped = true
		p.setHealthLocked(StateStopped, "", 0)
		p.mu.Unlock()
		if inst != nil {
			inst.kill()
		}
		p.owner().forget(p)
		p.logger.Info("plugin stopped")
	})
}

// current returns the live process, or nil while none runs.
func (p *Plugin) current() *instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// integrations returns the remembered settings, by integration name.
func (p *Plugin) integrations() map[string]sdk.Settings {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.settings)
}

// setHealthLocked changes the health; p.mu must be held.
func (p *Plugin) setHealthLocked(s State, msg string, pid int) {
	if p.health.State != s {
		p.health.Since = time.Now()
	}
	p.health.State = s
	p.health.Message = msg
	p.health.PID = pid
}

// Ready reports whether the plugin can take a call now, for callers that
// would rather wait than have a call fail as plugin_crashed. While the
// process is being restarted it is not ready, and retryAt is when the next
// launch is due; in a crash loop, or when a restart was refused for a
// reason an admin must fix, crashLoop is an error naming the plugin, so
// the caller fails its job rather than wait for ever. A stopped plugin
// counts as ready: a call fails at once, as it must.
func (p *Plugin) Ready() (ready bool, retryAt time.Time, crashLoop error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.health
	switch {
	case h.State == StateFailed || (h.State == StateRestarting && h.CrashLoop):
		return false, h.NextLaunch, sdk.Errorf(sdk.ErrorPluginCrashed, "plugin %q keeps exiting (%s)", p.spec.Name, h.Message).
			WithRemediation(fmt.Sprintf("Read plugin %q's log lines and fix what makes it exit (or its binary's checksum); jobs are retried on the retry_interval schedule, or at once on retry.", p.spec.Name))
	case h.State == StateRestarting:
		return false, h.NextLaunch, nil
	}
	return true, time.Time{}, nil
}
