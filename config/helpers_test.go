package config

import (
	"fmt"
	"testing"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/hashicorp/hcl/v2"
)

// testSecret is the value of DSRHOST_TEST_SECRET; no diagnostic output may
// contain it.
const testSecret = "hunter2-SECRET-VALUE"

// sampleSchema is the settings schema of the fixtures' "sample" plugin,
// covering every attribute type and both nestings.
var sampleSchema = sdk.Schema{
	Attributes: []sdk.Attribute{
		{Name: "base_url", Type: sdk.TypeString, Required: true},
		{Name: "api_key", Type: sdk.TypeString, Required: true, Sensitive: true},
		{Name: "timeout", Type: sdk.TypeDuration, Default: "30s"},
		{Name: "page_size", Type: sdk.TypeNumber, Default: 100},
		{Name: "verify_tls", Type: sdk.TypeBool, Default: true},
		{Name: "scopes", Type: sdk.TypeListOfString},
		{Name: "headers", Type: sdk.TypeMapOfString},
		{Name: "pin", Type: sdk.TypeNumber, Sensitive: true},
	},
	Blocks: []sdk.Block{
		{Name: "auth", Nesting: sdk.NestingSingle, Schema: sdk.Schema{Attributes: []sdk.Attribute{
			{Name: "token", Type: sdk.TypeString, Required: true, Sensitive: true},
			{Name: "header", Type: sdk.TypeString, Default: "Authorization"},
		}}},
		{Name: "endpoint", Nesting: sdk.NestingList, MinItems: 1, MaxItems: 2, Schema: sdk.Schema{Attributes: []sdk.Attribute{
			{Name: "path", Type: sdk.TypeString, Required: true},
			{Name: "method", Type: sdk.TypeString, Default: "GET"},
		}}},
	},
}

// testSchemas maps plugin names to schemas, as the daemon builds it from
// each plugin's Describe.
var testSchemas = map[string]sdk.Schema{"sample": sampleSchema}

// setTestEnv sets the environment the fixtures read through env().
func setTestEnv(t *testing.T) {
	t.Helper()
	t.Setenv("DSRHOST_TEST_ENCRYPTION_KEY", "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=")
	t.Setenv("DSRHOST_TEST_HEAP_API_KEY", "heap-key")
	t.Setenv("DSRHOST_TEST_SMTP_PASSWORD", "smtp-password")
	t.Setenv("DSRHOST_TEST_REDIS_PASSWORD", "redis-password")
	t.Setenv("DSRHOST_TEST_SECRET", testSecret)
}

// validate does what `dsrhost validate` does: load the file, then decode
// the settings of every integration whose plugin schema is known.
func validate(path string) (*Config, *Files, hcl.Diagnostics) {
	cfg, files, diags := Load(path)
	if cfg != nil {
		_, settingsDiags := cfg.DecodeIntegrationSettings(testSchemas)
		diags = sortDiagnostics(append(diags, settingsDiags...))
	}
	return cfg, files, diags
}

// diagStrings renders diagnostics as "line:column: summary", or
// "summary" alone for a diagnostic without a subject.
func diagStrings(diags hcl.Diagnostics) []string {
	return renderDiags(diags, func(r hcl.Range) string { return fmt.Sprintf("%d:%d", r.Start.Line, r.Start.Column) })
}

// renderDiags renders diagnostics as "where: summary", where placing the
// subject, or "summary" alone for a diagnostic without a subject.
func renderDiags(diags hcl.Diagnostics, where func(hcl.Range) string) []string {
	var out []string
	for _, d := range diags {
		if d.Subject == nil {
			out = append(out, d.Summary)
			continue
		}
		out = append(out, where(*d.Subject)+": "+d.Summary)
	}
	return out
}
