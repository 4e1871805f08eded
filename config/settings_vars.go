package config

import (
	"encoding/json"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// DecodeSettingsVars decodes a settings body as DecodeSettings does, but
// with vars as its only variables and no functions: for settings that ship
// with a program, such as genericrest's catalogue entries, whose values
// (var.api_key) come from the admin's own settings rather than from env()
// or file().
func DecodeSettingsVars(body hcl.Body, schema sdk.Schema, vars map[string]cty.Value) ([]byte, hcl.Diagnostics) {
	return decodeSettings(body, schema, &hcl.EvalContext{Variables: vars})
}

// decodeSettings decodes body against schema with ctx's functions and
// variables into the JSON a connector receives.
func decodeSettings(body hcl.Body, schema sdk.Schema, ctx *hcl.EvalContext) ([]byte, hcl.Diagnostics) {
	d := &decoder{ctx: ctx}
	obj := d.settingsObject(body, schema)
	if d.diags.HasErrors() {
		return nil, sortDiagnostics(d.diags)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		// Only a plugin's default of an unsupported Go type gets here.
		d.errorAt(body.MissingItemRange(), "Invalid plugin schema",
			"The plugin's settings schema has a default that cannot be encoded: %v.", err)
		return nil, d.diags
	}
	return out, sortDiagnostics(d.diags)
}
