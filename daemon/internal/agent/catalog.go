package agent

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// catalog is the data inventory the admin API lists: the running
// integrations with their plugins' health, and the manual data sources.
type catalog struct{ a *Agent }

var _ api.Inventory = catalog{}

// Catalog is the data inventory for the admin API.
func (a *Agent) Catalog() api.Inventory { return catalog{a} }

func (c catalog) Integrations(context.Context) ([]api.IntegrationInfo, error) {
	a := c.a
	a.mu.RLock()
	cfg, inv := a.cfg, a.inv
	a.mu.RUnlock()
	var out []api.IntegrationInfo
	for _, name := range inv.Names() {
		in := inv.Integrations[name]
		d := in.Description()
		kind := api.ProcessAutomated
		if d.Type == sdk.DirectContact {
			kind = api.ProcessDirectContact
		}
		out = append(out, api.IntegrationInfo{
			Name: name, Category: in.Config.Category, Type: d.Type, ProcessKind: kind,
			Plugin: in.Config.Plugin, PluginVersion: d.Version, Health: health(in.Plugin.Health()),
			Capabilities: d.Capabilities, DependsOn: in.Config.DependsOn,
		})
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Manuals)) {
		m := cfg.Manuals[name]
		info := api.IntegrationInfo{Name: name, Category: m.Category, ProcessKind: api.ProcessManual,
			Health: api.Health{State: api.HealthHealthy}, RequestTypes: requestTypes(m)}
		out = append(out, info)
	}
	return out, nil
}

func health(h pluginhost.Health) api.Health {
	out := api.Health{Message: h.Message, Restarts: h.Restarts, Since: h.Since}
	switch {
	case h.State == pluginhost.StateHealthy:
		out.State = api.HealthHealthy
	case h.State == pluginhost.StateRestarting && !h.CrashLoop:
		out.State = api.HealthRestarting
	case h.State == pluginhost.StateFailed, h.State == pluginhost.StateRestarting:
		// A crash loop is a failure an admin must look at.
		out.State = api.HealthFailed
	default:
		out.State = api.HealthNotConfigured
	}
	return out
}

// Test configures the integration again with its settings, which makes the
// connector check its credentials and permissions against the third party.
func (c catalog) Test(ctx context.Context, name string) (*api.TestResult, error) {
	in, ok := c.a.inventory().Integrations[name]
	if !ok {
		return nil, fmt.Errorf("integration %q: %w", name, engine.ErrNotFound)
	}
	resp, err := in.Plugin.Configure(ctx, &sdk.ConfigureRequest{Integration: name, Settings: in.Settings})
	if err != nil {
		return &api.TestResult{Error: state.ErrorFrom(err)}, nil
	}
	res := &api.TestResult{OK: !resp.HasErrors()}
	for _, d := range resp.Diagnostics {
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		res.Problems = append(res.Problems, msg)
		if d.Err != nil && res.Error == nil {
			res.Error = state.ErrorFrom(d.Err)
		}
	}
	return res, nil
}
