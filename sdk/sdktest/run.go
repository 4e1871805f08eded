package sdktest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dsrhost/dsrhost/sdk"
)

// The integration names the harness configures. Two integrations share
// the plugin process, as they do under the daemon.
const (
	integrationA       = "sdktest-a"
	integrationB       = "sdktest-b"
	integrationInvalid = "sdktest-invalid"
)

// Run launches cfg.Binary as the daemon does and checks that the connector
// keeps the contract the daemon relies on:
//
//   - Describe: name and version set, a known type, capabilities that fit
//     the type, settings names that are valid and unique HCL identifiers,
//     defaults of the attribute's type, no default on a required attribute;
//   - Configure with no settings reports an error diagnostic at the path of
//     each required attribute; each of cfg.InvalidSettings draws an error at
//     its WantPath; cfg.ValidSettings draw none, also with ValidateOnly set,
//     and a ValidateOnly Configure changes nothing;
//   - two integrations share the process, configured with cfg.ValidSettings
//     and cfg.SecondSettings: after the second is configured, the first's
//     Access still answers as before (each call reaches its own
//     integration's settings);
//   - for each declared capability and each integration, the same job (same
//     idempotency key) twice gives the same answer, records compared as a
//     set, and a Pending answer reaches a terminal state within cfg.MaxPolls
//     polls — except for Direct Contact connectors, whose processor answers
//     through the daemon: their polls must keep answering Pending with a
//     handle, without failing;
//   - every job carries cfg.Subject;
//   - every error has a known type and a message, and no error or
//     diagnostic quotes the subject's identifiers or the value of a
//     Sensitive setting.
//
// Each failed check is reported with t.Errorf, prefixed with the check's
// name, so one run lists everything to fix; t.Fatalf only when the plugin
// cannot be launched or described at all. What was checked is logged with
// t.Logf at the end.
func Run(t T, cfg Config) {
	t.Helper()
	cfg = cfg.withDefaults()
	if cfg.Binary == "" {
		t.Fatalf("sdktest.Run: Config.Binary is empty; build the plugin with sdktest.Build")
	}
	h := &harness{t: t, cfg: cfg, remote: Launch(t, cfg.Binary, cfg.Args...)}
	defer h.report()
	d := h.describe()
	h.waitsOnPerson = d.Type == sdk.DirectContact
	h.secrets = sensitiveValues(d.Settings, cfg)
	if !h.configure(d) {
		return
	}
	h.jobs(d)
}

type harness struct {
	t      T
	cfg    Config
	remote sdk.Remote
	// waitsOnPerson is set for Direct Contact connectors, whose jobs are
	// finished by a person answering the daemon, not by polling.
	waitsOnPerson bool
	// secrets are the Sensitive settings' values no error may quote.
	secrets []string
	// checked lists what the run checked, for the closing log line.
	checked []string
}

func (h *harness) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), h.cfg.CallTimeout)
}

func (h *harness) did(format string, args ...any) {
	h.checked = append(h.checked, fmt.Sprintf(format, args...))
}

// report logs what was checked, so a passing run says what it proved.
func (h *harness) report() {
	if len(h.checked) == 0 {
		return
	}
	h.t.Logf("sdktest checked:\n  - %s", strings.Join(h.checked, "\n  - "))
}

func (h *harness) describe() *sdk.Description {
	h.t.Helper()
	ctx, cancel := h.ctx()
	defer cancel()
	d, err := h.remote.Describe(ctx)
	if err != nil {
		h.t.Fatalf("Describe: %v", err)
	}
	for _, p := range checkDescription(d) {
		h.t.Errorf("Describe: %s", p)
	}
	h.did("Describe: %s %s, %s, capabilities %v, %d settings", d.Name, d.Version, d.Type, d.Capabilities, len(d.Settings.Attributes)+len(d.Settings.Blocks))
	return d
}

// configure runs the Configure checks and leaves integration A configured
// with cfg.ValidSettings; false means the job checks cannot run.
func (h *harness) configure(d *sdk.Description) bool {
	h.t.Helper()
	const empty = "Configure with no settings"
	if resp, ok := h.configureWith(empty, integrationInvalid, d.Settings, nil, false); ok {
		required := requiredAttributes(d.Settings)
		for _, name := range required {
			if !hasErrorAt(resp, []string{name}) {
				h.t.Errorf("%s: no error diagnostic at path [%s] for the missing required attribute; got %s",
					empty, name, listDiagnostics(resp))
			}
		}
		h.did("%s: an error at each required attribute %v", empty, required)
	}

	for _, c := range h.cfg.InvalidSettings {
		check := fmt.Sprintf("Configure with invalid settings %q", c.Name)
		if resp, ok := h.configureWith(check, integrationInvalid, d.Settings, overlay(h.cfg.ValidSettings, c.Settings), false); ok && !hasErrorAt(resp, c.WantPath) {
			h.t.Errorf("%s: no error diagnostic at path %v; got %s", check, c.WantPath, listDiagnostics(resp))
		}
		h.did("%s: an error at %v", check, c.WantPath)
	}

	const checkOnly = "Configure with ValidSettings and ValidateOnly"
	if resp, ok := h.configureWith(checkOnly, integrationA, d.Settings, h.cfg.ValidSettings, true); ok && resp.HasErrors() {
		h.t.Errorf("%s: want no error diagnostic, got %s", checkOnly, listDiagnostics(resp))
	}
	h.did("%s: no error", checkOnly)

	const valid = "Configure with ValidSettings"
	resp, ok := h.configureWith(valid, integrationA, d.Settings, h.cfg.ValidSettings, false)
	if !ok {
		return false
	}
	if resp.HasErrors() {
		h.t.Errorf("%s: want no error diagnostic, got %s; the job checks need a configured connector", valid, listDiagnostics(resp))
		return false
	}
	h.did("%s (integration %q): no error", valid, integrationA)
	return true
}

// configureWith configures integration with settings, with the schema's
// defaults filled in as the daemon does, and checks the shape of the
// answer.
func (h *harness) configureWith(check, integration string, schema sdk.Schema, settings map[string]any, validateOnly bool) (*sdk.ConfigureResponse, bool) {
	h.t.Helper()
	raw, err := json.Marshal(withDefaults(schema, settings))
	if err != nil {
		h.t.Errorf("%s: encode settings: %v", check, err)
		return nil, false
	}
	ctx, cancel := h.ctx()
	defer cancel()
	resp, err := h.remote.Configure(ctx, &sdk.ConfigureRequest{Integration: integration, Settings: sdk.Settings(raw), ValidateOnly: validateOnly})
	if err != nil {
		h.checkErrorShape(check, err)
		h.t.Errorf("%s: call failed: %v", check, err)
		return nil, false
	}
	for _, d := range resp.Diagnostics {
		if d.Severity != sdk.SeverityError && d.Severity != sdk.SeverityWarning {
			h.t.Errorf("%s: diagnostic %q has no severity", check, d.Summary)
		}
		if strings.TrimSpace(d.Summary) == "" {
			h.t.Errorf("%s: diagnostic at path %v has no summary", check, d.Path)
		}
		h.checkLeaks(check+": diagnostic", d.Summary+" "+d.Detail)
		if d.Err != nil {
			h.checkErrorShape(check+": diagnostic error", d.Err)
		}
	}
	return resp, true
}

// withDefaults adds the schema's default for each absent top-level
// attribute, as the daemon's decoder does.
func withDefaults(schema sdk.Schema, settings map[string]any) map[string]any {
	out := maps.Clone(settings)
	if out == nil {
		out = map[string]any{}
	}
	for _, a := range schema.Attributes {
		if _, set := out[a.Name]; !set && a.Default != nil {
			out[a.Name] = a.Default
		}
	}
	return out
}

// overlay applies over on top of base; a nil value removes the key.
func overlay(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range over {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

func hasErrorAt(resp *sdk.ConfigureResponse, path []string) bool {
	return slices.ContainsFunc(resp.Diagnostics, func(d sdk.Diagnostic) bool {
		return d.Severity == sdk.SeverityError && slices.Equal(d.Path, path)
	})
}

// listDiagnostics names each diagnostic by path and summary, for failure
// messages; details are left out as they may quote a setting.
func listDiagnostics(resp *sdk.ConfigureResponse) string {
	if len(resp.Diagnostics) == 0 {
		return "no diagnostics"
	}
	var parts []string
	for _, d := range resp.Diagnostics {
		sev := "error"
		if d.Severity != sdk.SeverityError {
			sev = "warning"
		}
		parts = append(parts, fmt.Sprintf("%s at %v: %s", sev, d.Path, d.Summary))
	}
	return strings.Join(parts, "; ")
}
