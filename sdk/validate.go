package sdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Validate checks settings against the schema as [Serve] does before a
// connector's Configure sees them: every required attribute is set, every
// value has its attribute's type (durations parse), nested blocks have the
// declared number of items, and absent attributes get their defaults. It
// returns the settings with defaults filled in and one error diagnostic per
// problem, at the attribute's path. A diagnostic never quotes a value, as
// the attribute may be sensitive. Keys the schema does not declare are kept
// as they are: the daemon may pass settings of its own.
//
// A connector therefore never checks presence or types itself; its
// Configure only checks what the schema cannot say (a URL's form, whether
// the third party accepts the credentials).
func (s Schema) Validate(settings Settings) (Settings, []Diagnostic) {
	obj := map[string]any{}
	if len(bytes.TrimSpace(settings)) > 0 && !bytes.Equal(bytes.TrimSpace(settings), []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(settings))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			return settings, []Diagnostic{AttributeError(nil, "Settings are not a JSON object",
				"The daemon sends an integration's settings as one JSON object; this was something else.")}
		}
	}
	v := &validator{}
	v.object(nil, s, obj)
	if len(v.diags) > 0 {
		return settings, v.diags
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return settings, []Diagnostic{AttributeError(nil, "Settings cannot be encoded", err.Error())}
	}
	return Settings(out), nil
}

type validator struct{ diags []Diagnostic }

func (v *validator) fail(path []string, summary, format string, args ...any) {
	v.diags = append(v.diags, AttributeError(path, summary, fmt.Sprintf(format, args...)))
}

// object checks one (possibly nested) block's object, filling defaults in
// place.
func (v *validator) object(at []string, s Schema, obj map[string]any) {
	for _, a := range s.Attributes {
		path := appendPath(at, a.Name)
		val, set := obj[a.Name]
		if !set || val == nil {
			switch {
			case a.Required:
				v.fail(path, "Missing required setting",
					"The setting %q is required: %s", a.Name, describeOr(a.Description, "see the plugin's documentation."))
			case a.Default != nil:
				obj[a.Name] = a.Default
			}
			continue
		}
		if want := typeProblem(a.Type, val); want != "" {
			v.fail(path, "Invalid setting type", "The setting %q must be %s.", a.Name, want)
		}
	}
	for _, b := range s.Blocks {
		v.block(at, b, obj)
	}
}

// block checks a nested block: a JSON object for NestingSingle, an array of
// objects for NestingList, within MinItems and MaxItems.
func (v *validator) block(at []string, b Block, obj map[string]any) {
	path := appendPath(at, b.Name)
	var items []any
	switch val := obj[b.Name].(type) {
	case nil:
	case map[string]any:
		if b.Nesting == NestingList {
			v.fail(path, "Invalid block", "%q must be a list of blocks.", b.Name)
			return
		}
		items = []any{val}
	case []any:
		if b.Nesting == NestingSingle {
			v.fail(path, "Invalid block", "%q must be a single block.", b.Name)
			return
		}
		items = val
	default:
		v.fail(path, "Invalid block", "%q must be a block, not a value.", b.Name)
		return
	}
	if len(items) < b.MinItems {
		v.fail(path, "Missing required block", "At least %d %q block(s) are required: %s", b.MinItems, b.Name,
			describeOr(b.Description, "see the plugin's documentation."))
	}
	if b.MaxItems > 0 && len(items) > b.MaxItems {
		v.fail(path, "Too many blocks", "At most %d %q block(s) are allowed.", b.MaxItems, b.Name)
	}
	for i, item := range items {
		child, ok := item.(map[string]any)
		if !ok {
			v.fail(path, "Invalid block", "Each %q must be a block.", b.Name)
			continue
		}
		ipath := path
		if b.Nesting == NestingList {
			ipath = appendPath(path, strconv.Itoa(i))
		}
		v.object(ipath, b.Schema, child)
	}
}

// typeProblem says what val should have been for type t, or "".
func typeProblem(t AttributeType, val any) string {
	switch t {
	case TypeString:
		if _, ok := val.(string); !ok {
			return "a string"
		}
	case TypeNumber:
		if _, ok := val.(json.Number); !ok {
			return "a number"
		}
	case TypeBool:
		if _, ok := val.(bool); !ok {
			return "true or false"
		}
	case TypeDuration:
		s, ok := val.(string)
		if !ok {
			return `a duration such as "90s", "24h" or "14d"`
		}
		if _, err := ParseDuration(s); err != nil {
			return `a duration such as "90s", "24h" or "14d"`
		}
	case TypeListOfString:
		list, ok := val.([]any)
		if !ok {
			return "a list of strings"
		}
		for _, e := range list {
			if _, ok := e.(string); !ok {
				return "a list of strings"
			}
		}
	case TypeMapOfString:
		m, ok := val.(map[string]any)
		if !ok {
			return "a map of strings"
		}
		for _, e := range m {
			if _, ok := e.(string); !ok {
				return "a map of strings"
			}
		}
	}
	return ""
}

func appendPath(at []string, name string) []string {
	return append(append([]string(nil), at...), name)
}

func describeOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
