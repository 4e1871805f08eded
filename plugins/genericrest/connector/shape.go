package connector

import (
	"fmt"
	"math"
	"slices"

	"github.com/dsrhost/dsrhost/sdk"
)

// checkShape walks settings as decoded JSON against the schema and reports
// unknown names, wrong types and missing required attributes, each at its own
// path. The daemon already decodes HCL against the same schema; this keeps a
// settings object from any other host from reaching the typed decoder with a
// surprise. fatal is true when the object cannot be decoded into settings.
func checkShape(s sdk.Schema, obj map[string]any, path []string) (diags []sdk.Diagnostic, fatal bool) {
	known := map[string]bool{}
	for _, a := range s.Attributes {
		known[a.Name] = true
		v, ok := obj[a.Name]
		if !ok || v == nil {
			if a.Required {
				diags = append(diags, sdk.AttributeError(at(path, a.Name), "Missing required setting",
					fmt.Sprintf("%q is required: %s", a.Name, a.Description)))
			}
			continue
		}
		if !hasType(a.Type, v) {
			diags = append(diags, sdk.AttributeError(at(path, a.Name), "Wrong type of setting",
				fmt.Sprintf("%q must be a %s.", a.Name, a.Type)))
			fatal = true
		}
	}
	for _, b := range s.Blocks {
		known[b.Name] = true
		v, ok := obj[b.Name]
		if !ok || v == nil {
			if b.MinItems > 0 {
				diags = append(diags, sdk.AttributeError(path, "Missing required block",
					fmt.Sprintf("A %q block is required here: %s", b.Name, b.Description)))
			}
			continue
		}
		var items []any
		if b.Nesting == sdk.NestingList {
			list, ok := v.([]any)
			if !ok {
				diags = append(diags, sdk.AttributeError(at(path, b.Name), "Wrong type of block", fmt.Sprintf("%q must be a list of blocks.", b.Name)))
				fatal = true
				continue
			}
			items = list
		} else {
			items = []any{v}
		}
		for _, item := range items {
			child, ok := item.(map[string]any)
			if !ok {
				diags = append(diags, sdk.AttributeError(at(path, b.Name), "Wrong type of block", fmt.Sprintf("%q must be a block.", b.Name)))
				fatal = true
				continue
			}
			d, f := checkShape(b.Schema, child, at(path, b.Name))
			diags = append(diags, d...)
			fatal = fatal || f
		}
	}
	for _, name := range sortedKeys(obj) {
		if !known[name] {
			diags = append(diags, sdk.AttributeError(at(path, name), "Unsupported setting",
				fmt.Sprintf("genericrest has no setting %q here.", name)))
			fatal = true
		}
	}
	return diags, fatal
}

func hasType(t sdk.AttributeType, v any) bool {
	switch t {
	case sdk.TypeString, sdk.TypeDuration:
		_, ok := v.(string)
		return ok
	case sdk.TypeNumber:
		f, ok := v.(float64)
		return ok && !math.IsNaN(f) && !math.IsInf(f, 0)
	case sdk.TypeBool:
		_, ok := v.(bool)
		return ok
	case sdk.TypeListOfString:
		list, ok := v.([]any)
		return ok && allStrings(list)
	case sdk.TypeMapOfString:
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		for _, e := range m {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

func allStrings(list []any) bool {
	for _, e := range list {
		if _, ok := e.(string); !ok {
			return false
		}
	}
	return true
}

// at returns path extended by names, never sharing path's backing array.
func at(path []string, names ...string) []string {
	return append(slices.Clip(path), names...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
