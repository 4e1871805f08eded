package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// supervise watches the plugin's process until ctx is cancelled and
// restarts it whenever it dies.
func (p *Plugin) supervise(ctx context.Context) {
	defer close(p.done)
	tick := time.NewTicker(p.opts.ExitPollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if inst := p.current(); inst != nil && inst.exited() {
			p.restart(ctx, inst)
		}
	}
}

// restart replaces the dead process: it waits out the backoff, launches
// again, re-applies every integration's settings, and tries again with a
// longer backoff when any of that fails, until it succeeds or ctx ends.
func (p *Plugin) restart(ctx context.Context, dead *instance) {
	dead.kill() // reap go-plugin's goroutines; the process is gone already
	p.mu.Lock()
	p.cur = nil
	if time.Since(dead.started) >= p.opts.MaxBackoff {
		p.failures = 0 // it had been stable: start the backoff over
		p.health.CrashLoop = false
	}
	p.setHealthLocked(StateRestarting, "plugin process exited", 0)
	p.mu.Unlock()
	p.logger.Warn("plugin process exited", "pid", dead.pid, "uptime", time.Since(dead.started).Round(time.Millisecond))

	for attempt := 1; ; attempt++ {
		p.mu.Lock()
		p.failures++
		backoff := p.opts.backoff(p.failures)
		p.health.NextLaunch = time.Now().Add(backoff)
		if p.failures >= p.opts.CrashLoopRestarts {
			if !p.health.CrashLoop {
				p.logger.Error("plugin is in a crash loop", "restarts_in_a_row", p.failures)
			}
			p.health.CrashLoop = true
			p.health.Message = fmt.Sprintf("crash loop: the process exited %d times in a row, each within %s of starting", p.failures, p.opts.MaxBackoff)
		}
		p.mu.Unlock()
		p.logger.Info("restarting plugin", "attempt", attempt, "backoff", backoff)
		if !sleep(ctx, backoff) {
			return
		}
		err := p.relaunch(ctx)
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			return
		}
		state := StateRestarting
		var cerr *ChecksumError
		if errors.As(err, &cerr) {
			state = StateFailed
		}
		p.mu.Lock()
		msg := fmt.Sprintf("restart attempt %d failed: %v", attempt, err)
		if p.health.CrashLoop {
			msg = "crash loop; " + msg
		}
		p.setHealthLocked(state, msg, 0)
		p.mu.Unlock()
		p.logger.Error("plugin restart failed", "attempt", attempt, "error", err)
	}
}

// relaunch starts a new process, configures every remembered integration
// on it and makes it the live one.
func (p *Plugin) relaunch(ctx context.Context) error {
	inst, desc, err := p.launch(ctx)
	if err != nil {
		return err
	}
	// Hold configMu until the new process is live, so a concurrent
	// Configure either lands in p.settings before we read it or runs on
	// the new process afterwards.
	p.configMu.Lock()
	defer p.configMu.Unlock()
	msg, err := p.reconfigure(ctx, inst)
	if err != nil {
		inst.kill()
		return err
	}
	p.mu.Lock()
	if p.stopped || ctx.Err() != nil {
		p.mu.Unlock()
		inst.kill()
		return context.Canceled
	}
	p.cur, p.desc = inst, desc
	p.health.Restarts++
	p.health.NextLaunch = time.Time{}
	if p.health.CrashLoop {
		// Up again, but on probation until it stays up MaxBackoff.
		msg = strings.TrimSpace("restarted after a crash loop " + msg)
	}
	p.setHealthLocked(StateHealthy, msg, inst.pid)
	p.mu.Unlock()
	p.logger.Info("plugin restarted", "pid", inst.pid, "restarts", p.Health().Restarts)
	return nil
}

// reconfigure applies every remembered integration's settings to a new
// process. A transport failure fails the restart; settings the connector
// now rejects are reported in the returned message, and the plugin still
// counts as restarted, because its other integrations work.
func (p *Plugin) reconfigure(ctx context.Context, inst *instance) (string, error) {
	settings := p.integrations()
	names := make([]string, 0, len(settings))
	for name := range settings {
		names = append(names, name)
	}
	slices.Sort(names)
	var rejected []string
	for _, name := range names {
		cctx, cancel := context.WithTimeout(ctx, p.opts.StartTimeout)
		resp, err := inst.remote.Configure(cctx, &sdk.ConfigureRequest{Integration: name, Settings: settings[name]})
		cancel()
		if err != nil {
			return "", fmt.Errorf("configure integration %q: %w", name, err)
		}
		if resp != nil && resp.HasErrors() {
			rejected = append(rejected, name)
			p.logger.Warn("integration's settings rejected after restart", "integration", name, "diagnostics", len(resp.Diagnostics))
		}
	}
	if len(rejected) > 0 {
		return fmt.Sprintf("after restart the plugin rejected the settings of %q", rejected), nil
	}
	return "", nil
}

// sleep waits d, or less when ctx ends first; it reports whether the whole
// wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
