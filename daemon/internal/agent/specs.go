package agent

import (
	"maps"
	"slices"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/inventory"
	"github.com/dsrhost/dsrhost/sdk"
)

// engineConfig is what the engine needs of a configuration: the running
// integrations with what their plugins reported, manual sources and
// request types.
func engineConfig(cfg *config.Config, inv *inventory.Inventory) engine.Config {
	out := engine.Config{RequestTypes: map[sdk.RequestType]engine.RequestTypeSpec{}}
	for _, name := range inv.Names() {
		in := inv.Integrations[name]
		d := in.Description()
		spec := engine.IntegrationSpec{
			Name:             name,
			Category:         in.Config.Category,
			Type:             d.Type,
			Capabilities:     d.Capabilities,
			RetryInterval:    in.Config.RetryInterval.Duration,
			MaxAttempts:      in.Config.MaxAttempts,
			PollInterval:     in.Config.PollInterval.Duration,
			MaxWait:          in.Config.MaxWait.Duration,
			DeletionBehavior: engine.DeletionBehavior(in.Config.DeletionBehavior),
			DependsOn:        in.Config.DependsOn,
			Flow:             flowSpec(in.Config.Flow),
		}
		if d.Type == sdk.DirectContact {
			spec.DirectContact = directContactSpec(in.Settings)
		}
		out.Integrations = append(out.Integrations, spec)
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Manuals)) {
		m := cfg.Manuals[name]
		out.Manual = append(out.Manual, engine.ManualSpec{Name: name, Category: m.Category,
			Instructions: m.Instructions, RequestTypes: requestTypes(m)})
	}
	for name, rt := range cfg.RequestTypes {
		out.RequestTypes[sdk.RequestType(name)] = engine.RequestTypeSpec{
			Deadline:                  rt.Deadline.Duration,
			DeadlineMonths:            rt.DeadlineMonths,
			Extension:                 rt.Extension.Duration,
			ExtensionMonths:           rt.ExtensionMonths,
			ClockStartsAtVerification: rt.ClockStartsAtVerification,
			AcknowledgeWithin:         rt.AcknowledgeWithin.Duration,
			AutoApprove:               rt.AutoApprove,
			RequireDeletionApproval:   rt.RequireDeletionApproval,
		}
	}
	return out
}

// directContactSpec reads the two settings every Direct Contact connector
// shares with the daemon, which acts on them: how long the processor has,
// and what happens when they do not answer.
func directContactSpec(settings sdk.Settings) engine.DirectContactSpec {
	var s struct {
		DueIn        string `json:"due_in"`
		OnNoResponse string `json:"on_no_response"`
	}
	_ = settings.Decode(&s) // validated by the connector's Configure
	spec := engine.DirectContactSpec{OnNoResponse: engine.OnNoResponse(s.OnNoResponse)}
	if d, err := sdk.ParseDuration(s.DueIn); err == nil {
		spec.DueIn = d
	}
	return spec
}

// connectors lets the engine reach the plugin behind an integration; it
// reads the agent's current inventory, so a reload takes effect for the
// next job.
type connectors struct{ a *Agent }

func (c connectors) Connector(integration string) (sdk.Remote, bool) {
	inv := c.a.inventory()
	in, ok := inv.Integrations[integration]
	if !ok {
		return nil, false
	}
	return c.a.obs.instruments.Remote(integration, in.Plugin.Connector()), true
}

// Ready tells the engine whether the plugin behind integration can take a
// call now: jobs for a restarting plugin wait for it rather than fail.
func (c connectors) Ready(integration string) (bool, time.Time, error) {
	in, ok := c.a.inventory().Integrations[integration]
	if !ok {
		return true, time.Time{}, nil // the job fails as not configured
	}
	return in.Plugin.Ready()
}

var (
	_ engine.Connectors = connectors{}
	_ engine.Readiness  = connectors{}
)

// requestTypes are the request types a manual data source applies to.
func requestTypes(m *config.Manual) []sdk.RequestType {
	out := make([]sdk.RequestType, 0, len(m.RequestTypes))
	for _, rt := range m.RequestTypes {
		out = append(out, sdk.RequestType(rt))
	}
	return out
}

// flowSpec is an integration's flow control as the engine takes it.
func flowSpec(f config.Flow) engine.FlowSpec {
	spec := engine.FlowSpec{Concurrency: f.Concurrency, CallTimeout: f.CallTimeout.Duration}
	if r := f.RateLimit; r != nil {
		spec.RateRequests, spec.RatePer = r.Requests, r.Per.Duration
	}
	return spec
}
