package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const referencesPrelude = `redis {
  url = "redis://127.0.0.1:6379"
}
encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
`

func integrationSrc(name string, dependsOn ...string) string {
	deps := `"` + strings.Join(dependsOn, `", "`) + `"`
	if len(dependsOn) == 0 {
		deps = ""
	}
	return "integration \"" + name + "\" {\n  plugin     = \"genericrest\"\n  depends_on = [" + deps + "]\n}\n"
}

func TestDependencies(t *testing.T) {
	tests := []struct {
		name        string
		src         string
		wantDetails []string
	}{
		{
			name:        "a chain is fine",
			src:         integrationSrc("a", "b") + integrationSrc("b", "c") + integrationSrc("c"),
			wantDetails: nil,
		},
		{
			name: "one cycle, reported once with its path",
			src:  integrationSrc("a", "b") + integrationSrc("b", "c") + integrationSrc("c", "a"),
			wantDetails: []string{
				"These integrations depend on each other in a cycle, so none of them could start: a → b → c → a. Remove one of the depends_on entries.",
			},
		},
		{
			name: "an integration hanging off a cycle is not reported",
			src:  integrationSrc("tail", "x") + integrationSrc("x", "y") + integrationSrc("y", "x"),
			wantDetails: []string{
				"These integrations depend on each other in a cycle, so none of them could start: x → y → x. Remove one of the depends_on entries.",
			},
		},
		{
			name: "two cycles, two diagnostics",
			src:  integrationSrc("a", "b") + integrationSrc("b", "a") + integrationSrc("c", "c"),
			wantDetails: []string{
				"These integrations depend on each other in a cycle, so none of them could start: a → b → a. Remove one of the depends_on entries.",
				`Integration "c" lists itself in depends_on.`,
			},
		},
		{
			name: "the shortest cycle through the first integration",
			src:  integrationSrc("a", "b", "c") + integrationSrc("b", "c") + integrationSrc("c", "a"),
			wantDetails: []string{
				"These integrations depend on each other in a cycle, so none of them could start: a → c → a. Remove one of the depends_on entries.",
			},
		},
		{
			name: "depending on a manual data source",
			src:  integrationSrc("a", "paper") + "manual \"paper\" {\n  request_types = [\"deletion\"]\n}\n",
			wantDetails: []string{
				`Integration "a" depends on "paper", a manual data source; only integrations can be depended on.`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, diags := Parse("deps.hcl", []byte(referencesPrelude+tt.src))
			var details []string
			for _, d := range diags {
				details = append(details, d.Detail)
			}
			if diff := cmp.Diff(tt.wantDetails, details); diff != "" {
				t.Errorf("details mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeclaredPluginOverridesBuiltin(t *testing.T) {
	src := referencesPrelude + `
plugin "heap" {
  command = "/opt/plugins/heap"
}
integration "heap" {
  plugin = "heap"
}
integration "crm" {
  plugin = "genericrest"
}
`
	cfg, _, diags := Parse("plugins.hcl", []byte(src))
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %q", diagStrings(diags))
	}
	if p := cfg.Plugins["heap"]; p.Builtin || p.Command != "/opt/plugins/heap" {
		t.Errorf("heap plugin = %+v, want the declared one", p)
	}
	if p := cfg.Plugins["genericrest"]; !p.Builtin || p.Command != "bin/dsrhost-plugin-genericrest" {
		t.Errorf("genericrest plugin = %+v, want the built-in one", p)
	}
	if _, ok := cfg.Plugins["directcontact"]; ok {
		t.Error("an unused built-in plugin is in Plugins")
	}
}
