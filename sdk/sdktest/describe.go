package sdktest

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/dsrhost/dsrhost/sdk"
)

// checkDescription lists every way d breaks the contract of Describe; the
// daemon relies on each of these to decode settings and plan workflows.
func checkDescription(d *sdk.Description) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if strings.TrimSpace(d.Name) == "" {
		add("Name is empty")
	}
	if strings.TrimSpace(d.Version) == "" {
		add("Version is empty")
	}
	switch d.Type {
	case sdk.SynchronousAPI, sdk.AsynchronousAPI, sdk.WholeRecordDeletionAPI, sdk.DirectContact:
	default:
		add("Type %d is not one of the four integration types", d.Type)
	}

	seen := map[sdk.Capability]bool{}
	for _, c := range d.Capabilities {
		switch {
		case c != sdk.CapabilityAccess && c != sdk.CapabilityDelete:
			add("capability %d is unknown", c)
		case seen[c]:
			add("capability %q is listed twice", c)
		}
		seen[c] = true
	}
	if len(d.Capabilities) == 0 {
		add("no capabilities: a connector must access or delete")
	}
	if d.Type == sdk.WholeRecordDeletionAPI {
		if !d.Can(sdk.CapabilityDelete) {
			add("a Whole-Record Deletion API must declare capability %q", sdk.CapabilityDelete)
		}
		if d.Can(sdk.CapabilityAccess) {
			add("a Whole-Record Deletion API cannot extract first, so must not declare capability %q", sdk.CapabilityAccess)
		}
	}

	problems = append(problems, checkSchema("settings", d.Settings)...)
	return problems
}

// checkSchema checks one (possibly nested) schema; where names the block
// for messages, like "settings.auth".
func checkSchema(where string, s sdk.Schema) []string {
	var problems []string
	add := func(format string, args ...any) {
		problems = append(problems, where+": "+fmt.Sprintf(format, args...))
	}
	names := map[string]bool{}
	name := func(kind, n string) {
		if !hclsyntax.ValidIdentifier(n) {
			add("%s name %q is not a valid HCL identifier", kind, n)
		}
		if names[n] {
			add("name %q is used twice", n)
		}
		names[n] = true
	}

	for _, a := range s.Attributes {
		name("attribute", a.Name)
		if a.Type < sdk.TypeString || a.Type > sdk.TypeMapOfString {
			add("attribute %q has unknown type %d", a.Name, a.Type)
			continue
		}
		if a.Default == nil {
			continue
		}
		if a.Required {
			add("attribute %q is required and has a default; a default makes it optional", a.Name)
		}
		if msg := checkDefault(a.Type, a.Default); msg != "" {
			add("attribute %q: %s", a.Name, msg)
		}
	}

	for _, b := range s.Blocks {
		name("block", b.Name)
		switch b.Nesting {
		case sdk.NestingSingle:
			if b.MaxItems > 1 {
				add("block %q is single but allows %d items", b.Name, b.MaxItems)
			}
		case sdk.NestingList:
		default:
			add("block %q has unknown nesting %d", b.Name, b.Nesting)
		}
		if b.MinItems < 0 || b.MaxItems < 0 {
			add("block %q has a negative item bound", b.Name)
		}
		if b.MaxItems > 0 && b.MinItems > b.MaxItems {
			add("block %q needs at least %d items but allows at most %d", b.Name, b.MinItems, b.MaxItems)
		}
		problems = append(problems, checkSchema(where+"."+b.Name, b.Schema)...)
	}
	return problems
}

// checkDefault says what is wrong with default v for type t, or "".
func checkDefault(t sdk.AttributeType, v any) string {
	want := ""
	switch t {
	case sdk.TypeString:
		if _, ok := v.(string); !ok {
			want = "a string"
		}
	case sdk.TypeDuration:
		s, ok := v.(string)
		if !ok {
			want = `a duration string such as "90s" or "14d"`
		} else if _, err := sdk.ParseDuration(s); err != nil {
			return fmt.Sprintf("default: %v", err)
		}
	case sdk.TypeNumber:
		switch reflect.ValueOf(v).Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
			reflect.Float32, reflect.Float64:
		default:
			want = "a number (float64 or int)"
		}
	case sdk.TypeBool:
		if _, ok := v.(bool); !ok {
			want = "a bool"
		}
	case sdk.TypeListOfString:
		if _, ok := v.([]string); !ok {
			want = "a []string"
		}
	case sdk.TypeMapOfString:
		if _, ok := v.(map[string]string); !ok {
			want = "a map[string]string"
		}
	}
	if want == "" {
		return ""
	}
	// The value itself is not shown: the attribute may be sensitive.
	return fmt.Sprintf("default is a %T, want %s for type %s", v, want, t)
}

// requiredAttributes are the top-level attributes a settings block must
// set; Configure with no settings must name each of them.
func requiredAttributes(s sdk.Schema) []string {
	var out []string
	for _, a := range s.Attributes {
		if a.Required {
			out = append(out, a.Name)
		}
	}
	return out
}

// sensitiveValues are the values ValidSettings and SecondSettings give the
// schema's top-level Sensitive attributes, as text. InvalidSettings are
// left out: their values are often words a description also uses.
func sensitiveValues(s sdk.Schema, cfg Config) []string {
	var out []string
	sets := []map[string]any{cfg.ValidSettings, cfg.SecondSettings}
	for _, a := range s.Attributes {
		if !a.Sensitive {
			continue
		}
		for _, set := range sets {
			if v, ok := set[a.Name]; ok && v != nil {
				out = append(out, fmt.Sprint(v))
			}
		}
	}
	return out
}
