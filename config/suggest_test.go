package config

import (
	"strings"
	"testing"
)

func TestDidYouMean(t *testing.T) {
	names := []string{"crm", "heap", "acme-support", "analytics"}
	tests := []struct{ name, want string }{
		{"hepa", ` Did you mean "heap"?`},
		{"acme-suport", ` Did you mean "acme-support"?`},
		{"analytcs", ` Did you mean "analytics"?`},
		{"billing", ""},
		{"crm", ""}, // an exact name is not a typo
	}
	for _, tt := range tests {
		if got := didYouMean(tt.name, names); got != tt.want {
			t.Errorf("didYouMean(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestDependsOnTypoSuggests: a mistyped depends_on names the integration
// meant.
func TestDependsOnTypoSuggests(t *testing.T) {
	src := `
redis {
  url = "redis://127.0.0.1:6379"
}
encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
integration "heap" {
  plugin = "heap"
}
integration "a" {
  plugin     = "genericrest"
  depends_on = ["haep"]
}
`
	_, _, diags := Parse("typo.hcl", []byte(src))
	for _, d := range diags {
		if d.Summary == "Reference to undeclared integration" {
			if !strings.Contains(d.Detail, `Did you mean "heap"?`) {
				t.Errorf("detail %q lacks the suggestion", d.Detail)
			}
			return
		}
	}
	t.Fatalf("no undeclared-integration diagnostic in %v", diags)
}
