package inventory

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/hashicorp/hcl/v2"
)

// Options changes how an Inventory is built.
type Options struct {
	// ValidateOnly asks connectors to check settings without contacting
	// third parties, for `dsrhost validate`.
	ValidateOnly bool
	// Resolve turns a plugin's configured command into the path to launch;
	// nil uses [ResolveCommand].
	Resolve func(p *config.Plugin) string
	// Previous is the host of the configuration being replaced, on a
	// reload: its plugins that can serve the new configuration unchanged
	// (pluginhost.Plugin.Reusable) are adopted instead of relaunched.
	Previous *pluginhost.Host
}

// Integration is one configured and running integration.
type Integration struct {
	Config *config.Integration
	Plugin *pluginhost.Plugin
	// Settings is what the connector was configured with.
	Settings sdk.Settings
	// narrowed holds what Configure reported of this integration's type
	// and capabilities, where its settings narrow the plugin's.
	narrowed *sdk.ConfigureResponse
}

// Description is the plugin's self-description as it applies to this
// integration: Configure may have narrowed its type and capabilities.
func (i *Integration) Description() *sdk.Description {
	d := *i.Plugin.Describe()
	if i.narrowed != nil {
		if i.narrowed.Type != 0 {
			d.Type = i.narrowed.Type
		}
		if len(i.narrowed.Capabilities) > 0 {
			d.Capabilities = i.narrowed.Capabilities
		}
	}
	return &d
}

// Inventory is the set of integrations a configuration declares, each
// bound to its running plugin.
type Inventory struct {
	Integrations map[string]*Integration
}

// Names returns the integration names, sorted.
func (inv *Inventory) Names() []string {
	names := make([]string, 0, len(inv.Integrations))
	for n := range inv.Integrations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Build launches the plugins cfg's integrations use and configures each
// integration. It returns every problem at once; integrations with problems
// are left out of the Inventory. cfg may come with errors of its own (Build
// still checks what it can, so `validate` reports everything in one pass).
func Build(ctx context.Context, cfg *config.Config, host *pluginhost.Host, opts Options) (*Inventory, hcl.Diagnostics) {
	resolve := opts.Resolve
	if resolve == nil {
		resolve = ResolveCommand
	}
	plugins, diags := startPlugins(ctx, cfg, host, resolve, opts.Previous)
	inv := &Inventory{Integrations: map[string]*Integration{}}

	names := make([]string, 0, len(cfg.Integrations))
	for n := range cfg.Integrations {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		in := cfg.Integrations[name]
		p, ok := plugins[in.Plugin]
		if !ok {
			continue // its plugin is unknown or failed to start; already reported
		}
		settings, ds := config.DecodeSettings(in.Settings, p.Describe().Settings)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			continue
		}
		settings = inheritSMTP(settings, p.Describe(), cfg.SMTP)
		resp, err := p.Configure(ctx, &sdk.ConfigureRequest{
			Integration:  name,
			Settings:     sdk.Settings(settings),
			ValidateOnly: opts.ValidateOnly,
		})
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Integration could not be configured",
				Detail:   fmt.Sprintf("Plugin %q failed to configure integration %q: %v", in.Plugin, name, err),
				Subject:  in.DeclRange.Ptr(),
			})
			continue
		}
		cds := configureDiagnostics(in, p.Describe().Settings, resp)
		diags = append(diags, cds...)
		if cds.HasErrors() {
			continue
		}
		inv.Integrations[name] = &Integration{Config: in, Plugin: p, Settings: sdk.Settings(settings),
			narrowed: &sdk.ConfigureResponse{Type: resp.Type, Capabilities: resp.Capabilities}}
	}
	return inv, diags
}

// startPlugins launches, concurrently, every plugin some integration uses,
// or adopts it from prev when it runs there unchanged.
func startPlugins(ctx context.Context, cfg *config.Config, host *pluginhost.Host, resolve func(*config.Plugin) string, prev *pluginhost.Host) (map[string]*pluginhost.Plugin, hcl.Diagnostics) {
	used := map[string]bool{}
	for _, in := range cfg.Integrations {
		if _, ok := cfg.Plugins[in.Plugin]; ok {
			used[in.Plugin] = true
		}
	}
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		started = map[string]*pluginhost.Plugin{}
		diags   hcl.Diagnostics
	)
	for name := range used {
		cp := cfg.Plugins[name]
		spec := pluginhost.Spec{Name: cp.Name, Command: resolve(cp), Args: cp.Args, SHA256: cp.SHA256}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if p := adopt(host, prev, spec); p != nil {
				mu.Lock()
				started[name] = p
				mu.Unlock()
				return
			}
			p, err := host.Start(ctx, spec)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Plugin failed to start",
					Detail:   fmt.Sprintf("%v.%s", err, startHint(cp)),
					Subject:  cp.DeclRange.Ptr(),
				})
				return
			}
			started[name] = p
		}()
	}
	wg.Wait()
	sort.SliceStable(diags, func(i, j int) bool { return diags[i].Subject.Start.Line < diags[j].Subject.Start.Line })
	return started, diags
}

// adopt returns prev's plugin for spec, moved to host, when it can serve
// spec unchanged; nil when it must be launched.
func adopt(host, prev *pluginhost.Host, spec pluginhost.Spec) *pluginhost.Plugin {
	if prev == nil {
		return nil
	}
	p, ok := prev.Plugin(spec.Name)
	if !ok || !p.Reusable(spec) || host.Adopt(p) != nil {
		return nil
	}
	return p
}

func startHint(p *config.Plugin) string {
	if p.Builtin {
		return fmt.Sprintf(" Run `make build` so dsrhost-plugin-%s is built beside dsrhost, or declare a plugin block with its command.", p.Name)
	}
	return ""
}

// configureDiagnostics points a connector's Configure diagnostics at the
// settings they are about. One about a Sensitive attribute is marked
// sensitive, so printing it shows where the secret is written but never
// the secret (a refused API key written literally in the file).
func configureDiagnostics(in *config.Integration, schema sdk.Schema, resp *sdk.ConfigureResponse) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, d := range resp.Diagnostics {
		sev := hcl.DiagError
		if d.Severity == sdk.SeverityWarning {
			sev = hcl.DiagWarning
		}
		detail := d.Detail
		if d.Err != nil {
			detail = strings.TrimSpace(fmt.Sprintf("%s %s", errorLead(d.Err), d.Detail))
		}
		rng := config.SettingRange(in.Settings, d.Path)
		if len(d.Path) == 0 {
			rng = in.DeclRange
		}
		diag := &hcl.Diagnostic{
			Severity: sev,
			Summary:  d.Summary,
			Detail:   detail,
			Subject:  rng.Ptr(),
		}
		if sensitivePath(schema, d.Path) {
			config.MarkSensitive(diag)
		}
		diags = append(diags, diag)
	}
	return diags
}

// sensitivePath reports whether path names a Sensitive attribute of
// schema, or something inside one; list block indexes are skipped.
func sensitivePath(schema sdk.Schema, path []string) bool {
	for i := 0; i < len(path); i++ {
		for _, a := range schema.Attributes {
			if a.Name == path[i] {
				return a.Sensitive
			}
		}
		found := false
		for _, b := range schema.Blocks {
			if b.Name == path[i] {
				schema, found = b.Schema, true
				if b.Nesting == sdk.NestingList && i+1 < len(path) {
					i++ // the block's index
				}
				break
			}
		}
		if !found {
			return false
		}
	}
	return false
}

func errorLead(e *sdk.Error) string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("The third party refused (%s, status %d).", e.Type, e.StatusCode)
	}
	return fmt.Sprintf("The check failed (%s).", e.Type)
}
