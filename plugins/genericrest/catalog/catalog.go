// Package catalog holds genericrest's catalogue: ready-made settings for
// widely used SaaS APIs, one HCL file and one page per entry under
// entries/, embedded in the binary. An integration uses an entry by name
// (settings { template = "mailchimp" }) with only its own values and
// secrets; the connector resolves it here, and `dsrhost integration
// catalog` lists and prints the entries.
package catalog

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

//go:embed entries
var files embed.FS

// Entry is one catalogue entry: what it connects and what the admin gives
// it.
type Entry struct {
	// Name is what template names, such as "mailchimp".
	Name     string `hcl:"name,label" json:"name"`
	Title    string `hcl:"title" json:"title"`
	Category string `hcl:"category" json:"category"`
	// Summary says what is found and deleted, in one sentence.
	Summary string `hcl:"summary" json:"summary"`
	// Behaviour is "synchronous", "asynchronous" or "whole-record".
	Behaviour string `hcl:"behaviour" json:"behaviour"`
	// Docs is the vendor's API reference the settings follow.
	Docs string `hcl:"docs" json:"docs"`
	// Values and Secrets are what the admin must give, by name, each with
	// a sentence saying where to find it.
	Values  map[string]string `hcl:"values,optional" json:"values,omitempty"`
	Secrets map[string]string `hcl:"secrets,optional" json:"secrets,omitempty"`

	settings hcl.Body
	source   []byte
	page     []byte
}

// file is an entry's HCL file: the entry block and the settings it
// expands to.
type file struct {
	Entry    Entry    `hcl:"entry,block"`
	Settings hcl.Body `hcl:"settings,remain"`
}

// Source is the entry's HCL file, as shipped.
func (e *Entry) Source() string { return string(e.source) }

// Page is the entry's page: the permissions to grant, what is found and
// deleted, and how it behaves.
func (e *Entry) Page() string { return string(e.page) }

// Example is an integration block using the entry, with a placeholder for
// every value and an env() for every secret.
func (e *Entry) Example() string {
	var b strings.Builder
	fmt.Fprintf(&b, "integration %q {\n  plugin   = \"genericrest\"\n  category = %q\n  settings {\n    template = %q\n", e.Name, e.Category, e.Name)
	if len(e.Values) > 0 {
		b.WriteString("    values = {\n")
		for _, k := range sortedKeys(e.Values) {
			fmt.Fprintf(&b, "      %s = \"...\" # %s\n", k, e.Values[k])
		}
		b.WriteString("    }\n")
	}
	if len(e.Secrets) > 0 {
		b.WriteString("    secrets = {\n")
		for _, k := range sortedKeys(e.Secrets) {
			fmt.Fprintf(&b, "      %s = env(%q) # %s\n", k, strings.ToUpper(e.Name+"_"+k), e.Secrets[k])
		}
		b.WriteString("    }\n")
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// entries are parsed on first use, not at package init: every process
// linking the catalogue (the daemon, the genericrest plugin) would
// otherwise pay for parsing it at every start, used or not.
var entries = sync.OnceValue(mustLoad)

func mustLoad() map[string]*Entry {
	out, err := load(files)
	if err != nil {
		panic(err) // the embedded files are tested; a broken one is a build defect
	}
	return out
}

func load(fsys fs.FS) (map[string]*Entry, error) {
	names, err := fs.Glob(fsys, "entries/*.hcl")
	if err != nil {
		return nil, fmt.Errorf("list catalogue entries: %w", err)
	}
	out := map[string]*Entry{}
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, fmt.Errorf("parse %s: %s", name, diags.Error())
		}
		var decoded file
		if diags := gohcl.DecodeBody(f.Body, nil, &decoded); diags.HasErrors() {
			return nil, fmt.Errorf("decode %s: %s", name, diags.Error())
		}
		e := decoded.Entry
		if want := strings.TrimSuffix(path.Base(name), ".hcl"); e.Name != want {
			return nil, fmt.Errorf("%s declares entry %q; name it %q", name, e.Name, want)
		}
		if e.page, err = fs.ReadFile(fsys, strings.TrimSuffix(name, ".hcl")+".md"); err != nil {
			return nil, fmt.Errorf("entry %q has no page: %w", e.Name, err)
		}
		e.settings, e.source = settingsBlock(f.Body.(*hclsyntax.Body)), src
		out[e.Name] = &e
	}
	return out, nil
}

// settingsBlock is the body of the file's settings block.
func settingsBlock(body *hclsyntax.Body) hcl.Body {
	for _, b := range body.Blocks {
		if b.Type == "settings" {
			return b.Body
		}
	}
	return hcl.EmptyBody()
}

// Names lists the entries, sorted.
func Names() []string { return sortedKeys(entries()) }

// Get returns the entry called name.
func Get(name string) (*Entry, bool) {
	e, ok := entries()[name]
	return e, ok
}

// Problem is something wrong with the values and secrets given to an
// entry, at the settings path it concerns.
type Problem struct {
	Path    []string
	Summary string
	Detail  string
}

// Check reports missing and unknown values and secrets.
func (e *Entry) Check(values, secrets map[string]string) []Problem {
	var out []Problem
	for _, kind := range []struct {
		name      string
		want, got map[string]string
	}{{"values", e.Values, values}, {"secrets", e.Secrets, secrets}} {
		for _, k := range sortedKeys(kind.want) {
			if kind.got[k] == "" {
				out = append(out, Problem{Path: []string{kind.name}, Summary: "Missing " + strings.TrimSuffix(kind.name, "s"),
					Detail: fmt.Sprintf("The %s entry needs %s.%s: %s", e.Name, kind.name, k, kind.want[k])})
			}
		}
		for _, k := range sortedKeys(kind.got) {
			if _, ok := kind.want[k]; !ok && kind.name == "values" {
				out = append(out, Problem{Path: []string{kind.name, k}, Summary: "Unknown value",
					Detail: fmt.Sprintf("The %s entry takes no value %q; it takes %s.", e.Name, k, orNone(sortedKeys(e.Values)))})
			}
		}
	}
	return out
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Settings expands the entry into the settings object genericrest
// decodes, with var.<name> set from values and secrets (secrets win). An
// error here is a defect of the entry, which the catalogue's tests catch.
func (e *Entry) Settings(schema sdk.Schema, values, secrets map[string]string) ([]byte, error) {
	vars := map[string]cty.Value{}
	for _, m := range []map[string]string{values, secrets} {
		for k, v := range m {
			vars[k] = cty.StringVal(v)
		}
	}
	js, diags := config.DecodeSettingsVars(e.settings, schema, map[string]cty.Value{"var": cty.ObjectVal(vars)})
	if diags.HasErrors() {
		return nil, fmt.Errorf("catalogue entry %q: %s", e.Name, diags.Error())
	}
	return js, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return slices.Clip(keys)
}
