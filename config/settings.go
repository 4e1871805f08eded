package config

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// DecodeSettings decodes an integration's settings block against a
// plugin's schema into the JSON object the connector receives as
// sdk.Settings. Defaults fill absent attributes; an absent optional
// NestingSingle block is left out and an absent NestingList block is an
// empty array. A wrong type points at its own value, a missing required
// setting at the settings block. No diagnostic quotes a value, so
// Sensitive settings and values from env() or file() stay hidden. The JSON
// is nil when there are errors.
func DecodeSettings(body hcl.Body, schema sdk.Schema) ([]byte, hcl.Diagnostics) {
	if body == nil {
		body = hcl.EmptyBody()
	}
	return decodeSettings(body, schema, evalContext(filepath.Dir(body.MissingItemRange().Filename)))
}

// DecodeIntegrationSettings decodes the settings of every integration
// whose plugin has a schema in schemas (keyed by plugin name), returning
// them by integration name. Integrations whose plugin is missing from
// schemas are skipped.
func (c *Config) DecodeIntegrationSettings(schemas map[string]sdk.Schema) (map[string]sdk.Settings, hcl.Diagnostics) {
	names := make([]string, 0, len(c.Integrations))
	for name := range c.Integrations {
		names = append(names, name)
	}
	sort.Strings(names)
	out := map[string]sdk.Settings{}
	var diags hcl.Diagnostics
	for _, name := range names {
		in := c.Integrations[name]
		schema, ok := schemas[in.Plugin]
		if !ok {
			continue
		}
		js, ds := DecodeSettings(in.Settings, schema)
		diags = append(diags, ds...)
		if js != nil {
			out[name] = sdk.Settings(js)
		}
	}
	return out, sortDiagnostics(diags)
}

// hclSchema turns a plugin's schema into the hcl schema of one level.
func hclSchema(s sdk.Schema) *hcl.BodySchema {
	hs := &hcl.BodySchema{}
	for _, a := range s.Attributes {
		hs.Attributes = append(hs.Attributes, hcl.AttributeSchema{Name: a.Name, Required: a.Required})
	}
	for _, b := range s.Blocks {
		hs.Blocks = append(hs.Blocks, hcl.BlockHeaderSchema{Type: b.Name})
	}
	return hs
}

// settingsObject decodes one level of settings into a JSON-ready map.
func (d *decoder) settingsObject(body hcl.Body, schema sdk.Schema) map[string]any {
	content, diags := body.Content(hclSchema(schema))
	d.add(diags...)
	out := map[string]any{}
	for _, at := range schema.Attributes {
		a := content.Attributes[at.Name]
		if a == nil {
			if at.Default != nil {
				out[at.Name] = at.Default
			}
			continue
		}
		n := len(d.diags)
		if v, ok := d.setting(a, at); ok {
			out[at.Name] = v
		}
		if at.Sensitive {
			d.sensitiveSince(n, a.Expr)
		}
	}

	byType := map[string][]*hcl.Block{}
	for _, b := range content.Blocks {
		byType[b.Type] = append(byType[b.Type], b)
	}
	for _, bs := range schema.Blocks {
		blocks := byType[bs.Name]
		if bs.Nesting == sdk.NestingList {
			d.settingsList(body, bs, blocks, out)
			continue
		}
		for _, extra := range blocks[min(1, len(blocks)):] {
			d.errorAt(extra.DefRange, fmt.Sprintf("Duplicate %s block", bs.Name),
				"Only one %s block is allowed; the first is at %s.", bs.Name, position(blocks[0].DefRange))
		}
		if len(blocks) == 0 {
			if bs.MinItems > 0 {
				d.errorAt(body.MissingItemRange(), fmt.Sprintf("Missing %s block", bs.Name),
					"A %s block is required here.", bs.Name)
			}
			continue
		}
		out[bs.Name] = d.settingsObject(blocks[0].Body, bs.Schema)
	}
	return out
}

// settingsList decodes a NestingList block type into out as an array.
func (d *decoder) settingsList(body hcl.Body, bs sdk.Block, blocks []*hcl.Block, out map[string]any) {
	if len(blocks) < bs.MinItems {
		d.errorAt(body.MissingItemRange(), fmt.Sprintf("Insufficient %s blocks", bs.Name),
			"At least %d %s block(s) are required here; found %d.", bs.MinItems, bs.Name, len(blocks))
	}
	if bs.MaxItems > 0 && len(blocks) > bs.MaxItems {
		d.errorAt(blocks[bs.MaxItems].DefRange, fmt.Sprintf("Too many %s blocks", bs.Name),
			"At most %d %s block(s) are allowed here; found %d.", bs.MaxItems, bs.Name, len(blocks))
	}
	list := make([]any, 0, len(blocks))
	for _, b := range blocks {
		list = append(list, d.settingsObject(b.Body, bs.Schema))
	}
	out[bs.Name] = list
}

// setting decodes one attribute as its schema type wants it in JSON.
func (d *decoder) setting(a *hcl.Attribute, at sdk.Attribute) (any, bool) {
	switch at.Type {
	case sdk.TypeString:
		v, _, ok := d.str(a)
		return v, ok
	case sdk.TypeNumber:
		val, _, ok := d.value(a, cty.Number)
		if !ok {
			return nil, false
		}
		f := val.AsBigFloat()
		if f.IsInf() {
			d.errorAt(a.Expr.Range(), "Invalid number", "The setting %q must be a finite number.", a.Name)
			return nil, false
		}
		// 'f' keeps whole numbers whole ("1000000", not "1e+06"), so
		// connectors can decode them into Go integers.
		return json.Number(f.Text('f', -1)), true
	case sdk.TypeBool:
		return d.boolean(a)
	case sdk.TypeDuration:
		// The connector receives the string as written and reads it with
		// sdk.ParseDuration; it is checked here so the mistake points at
		// its line.
		v, _, ok := d.str(a)
		if !ok {
			return nil, false
		}
		if _, summary, detail := parseDuration(v); summary != "" {
			d.errorAt(a.Expr.Range(), summary, "%s", detail)
			return nil, false
		}
		return v, true
	case sdk.TypeListOfString:
		list, _, _, ok := d.stringList(a)
		if list == nil {
			list = []string{}
		}
		return list, ok
	case sdk.TypeMapOfString:
		val, _, ok := d.value(a, cty.Map(cty.String))
		if !ok {
			return nil, false
		}
		m := map[string]string{}
		for k, v := range val.AsValueMap() {
			m[k] = v.AsString()
		}
		return m, true
	}
	d.errorAt(a.Expr.Range(), "Unsupported setting type",
		"The plugin declares setting %q with a type (%s) dsrhost does not know; the plugin may need a newer dsrhost.", a.Name, at.Type)
	return nil, false
}
