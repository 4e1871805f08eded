// Package settingstest decodes HCL settings against a connector's schema the
// way the daemon does (hcldec, defaults filled in, env() for secrets), so
// genericrest's tests exercise the example files and fixtures as an admin
// writes them. It takes the schema as an argument to stay importable from
// the connector's own tests.
package settingstest

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/dsrhost/dsrhost/sdk"
)

// Env is what env() returns in tests: the secrets the examples read.
var Env = map[string]string{
	"DSRHOST_ENCRYPTION_KEY":    "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
	"DEMO_CRM_TOKEN":            "crm-secret-token",
	"DEMO_EXPORTS_API_KEY":      "exports-secret-key",
	"DEMO_PEOPLE_CLIENT_SECRET": "people-client-secret",
}

func evalContext() *hcl.EvalContext {
	env := function.New(&function.Spec{
		Params: []function.Parameter{{Name: "name", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(Env[args[0].AsString()]), nil
		},
	})
	return &hcl.EvalContext{Functions: map[string]function.Function{"env": env}}
}

// Spec is the hcldec spec of a settings schema, defaults included.
func Spec(s sdk.Schema) (hcldec.ObjectSpec, error) {
	spec := hcldec.ObjectSpec{}
	for _, a := range s.Attributes {
		var ty cty.Type
		switch a.Type {
		case sdk.TypeString, sdk.TypeDuration:
			ty = cty.String
		case sdk.TypeNumber:
			ty = cty.Number
		case sdk.TypeBool:
			ty = cty.Bool
		case sdk.TypeListOfString:
			ty = cty.List(cty.String)
		case sdk.TypeMapOfString:
			ty = cty.Map(cty.String)
		}
		var attr hcldec.Spec = &hcldec.AttrSpec{Name: a.Name, Type: ty, Required: a.Required}
		if a.Default != nil {
			b, err := json.Marshal(a.Default)
			if err != nil {
				return nil, err
			}
			def, err := ctyjson.Unmarshal(b, ty)
			if err != nil {
				return nil, err
			}
			attr = &hcldec.DefaultSpec{Primary: attr, Default: &hcldec.LiteralSpec{Value: def}}
		}
		spec[a.Name] = attr
	}
	for _, b := range s.Blocks {
		nested, err := Spec(b.Schema)
		if err != nil {
			return nil, err
		}
		if b.Nesting == sdk.NestingList {
			spec[b.Name] = &hcldec.BlockListSpec{TypeName: b.Name, Nested: nested, MinItems: b.MinItems, MaxItems: b.MaxItems}
			continue
		}
		spec[b.Name] = &hcldec.BlockSpec{TypeName: b.Name, Nested: nested, Required: b.MinItems > 0}
	}
	return spec, nil
}

// Decode decodes a settings body to the JSON object Configure receives.
func Decode(t testing.TB, body hcl.Body, schema sdk.Schema) map[string]any {
	t.Helper()
	spec, err := Spec(schema)
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	val, diags := hcldec.Decode(body, spec, evalContext())
	if diags.HasErrors() {
		t.Fatalf("decode settings: %s", diags.Error())
	}
	b, err := ctyjson.Marshal(val, val.Type())
	if err != nil {
		t.Fatalf("encode settings: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("settings JSON: %v", err)
	}
	return m
}

// Parse parses an HCL file.
func Parse(t testing.TB, path string) *hclsyntax.Body {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse %s: %s", path, diags.Error())
	}
	return f.Body.(*hclsyntax.Body)
}

// Example returns the settings of the one integration in a full dsrhost
// configuration file, checking that it uses plugin and that the file
// declares that plugin.
func Example(t testing.TB, path, plugin string, schema sdk.Schema) map[string]any {
	t.Helper()
	body := Parse(t, path)
	var found map[string]any
	declared := false
	for _, b := range body.Blocks {
		if b.Type == "plugin" && len(b.Labels) == 1 && b.Labels[0] == plugin {
			declared = true
		}
		if b.Type != "integration" {
			continue
		}
		if found != nil {
			t.Fatalf("%s: want one integration", path)
		}
		a, ok := b.Body.Attributes["plugin"]
		if !ok {
			t.Fatalf("%s: integration has no plugin", path)
		}
		if v, diags := a.Expr.Value(nil); diags.HasErrors() || v.Type() != cty.String || v.AsString() != plugin {
			t.Fatalf("%s: integration's plugin is not %q", path, plugin)
		}
		for _, sb := range b.Body.Blocks {
			if sb.Type == "settings" {
				found = Decode(t, sb.Body, schema)
			}
		}
	}
	if found == nil {
		t.Fatalf("%s: no integration settings", path)
	}
	if !declared {
		t.Fatalf("%s: no plugin %q block", path, plugin)
	}
	return found
}
