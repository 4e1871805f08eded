package connector

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dsrhost/dsrhost/plugins/genericrest/catalog"
	"github.com/dsrhost/dsrhost/sdk"
)

// ownedByEntry are the settings a catalogue entry supplies; setting one
// beside template is refused rather than silently merged or dropped.
var ownedByEntry = []string{"auth", "headers", "test_request", "access", "deletion"}

// resolveTemplate replaces s with the catalogue entry s.Template expanded
// with s.Values and s.Secrets. The admin's base_url, rate_limit, timeout
// and max_retry_wait (when not the defaults) replace the entry's. Every
// problem is a diagnostic at the admin's own setting.
func resolveTemplate(s *settings, raw map[string]any) []sdk.Diagnostic {
	e, ok := catalog.Get(s.Template)
	if !ok {
		return []sdk.Diagnostic{sdk.AttributeError([]string{"template"}, "Unknown catalogue entry",
			fmt.Sprintf("%q is not in the catalogue; it has %s (dsrhost integration catalog shows each).", s.Template, strings.Join(catalog.Names(), ", ")))}
	}
	var diags []sdk.Diagnostic
	for _, name := range ownedByEntry {
		if raw[name] != nil {
			diags = append(diags, sdk.AttributeError([]string{name}, "Set by the catalogue entry",
				fmt.Sprintf("The %s entry supplies %s; remove it here, or drop template and write every setting yourself.", e.Name, name)))
		}
	}
	for _, p := range e.Check(s.Values, s.Secrets) {
		diags = append(diags, sdk.AttributeError(p.Path, p.Summary, p.Detail))
	}
	if len(diags) > 0 {
		return diags
	}
	js, err := e.Settings(Schema(), s.Values, s.Secrets)
	var expanded settings
	if err == nil {
		err = json.Unmarshal(js, &expanded)
	}
	if err != nil {
		return []sdk.Diagnostic{sdk.AttributeError([]string{"template"}, "Broken catalogue entry",
			fmt.Sprintf("The %s entry cannot be expanded; this is a defect of dsrhost, please report it.", e.Name))}
	}
	expanded.Template, expanded.Values, expanded.Secrets = s.Template, s.Values, s.Secrets
	if s.BaseURL != "" {
		expanded.BaseURL = s.BaseURL
	}
	if s.RateLimit != nil {
		expanded.RateLimit = s.RateLimit
	}
	if s.Timeout != "" && s.Timeout != "30s" {
		expanded.Timeout = s.Timeout
	}
	if s.MaxRetryWait != "" && s.MaxRetryWait != "60s" {
		expanded.MaxRetryWait = s.MaxRetryWait
	}
	*s = expanded
	return nil
}
