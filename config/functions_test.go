package config

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestFunctions(t *testing.T) {
	t.Setenv("DSRHOST_TEST_VALUE", "value")
	t.Setenv("DSRHOST_TEST_EMPTY", "")
	tests := []struct {
		expr        string
		want        string
		wantSecret  bool
		wantSummary string
	}{
		{`env("DSRHOST_TEST_VALUE")`, "value", true, ""},
		{`env("DSRHOST_TEST_EMPTY")`, "", true, ""},
		{`"prefix-${env("DSRHOST_TEST_VALUE")}"`, "prefix-value", true, ""},
		{`file("templates/access.txt")`, "Hello,\n\nAttached is a copy of the data we hold about you.\n", true, ""},
		{`trimspace(file("templates/rejected.txt"))`, "rejected-template-body", true, ""},
		{`trimspace("  plain ")`, "plain", false, ""},
		{`env("DSRHOST_TEST_NOT_SET")`, "", false, "Environment variable not set"},
		{`file("templates/missing.txt")`, "", false, "Cannot read file"},
		{`file("templates")`, "", false, "Cannot read file"},
		{`file(env("DSRHOST_TEST_VALUE"))`, "", false, "Invalid function argument"},
		{`env(["A"])`, "", false, "Invalid function argument"},
		{`env()`, "", false, "Not enough function arguments"},
		{`upper("x")`, "", false, "Call to unknown function"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			expr, diags := hclsyntax.ParseExpression([]byte(tt.expr), "testdata/valid/expr.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			d := &decoder{ctx: evalContext("testdata/valid")}
			val, secret, ok := d.eval(expr)
			if tt.wantSummary != "" {
				if ok || len(d.diags) != 1 || d.diags[0].Summary != tt.wantSummary {
					t.Fatalf("diagnostics = %q, want one %q", diagStrings(d.diags), tt.wantSummary)
				}
				if d.diags[0].Subject == nil || d.diags[0].Subject.Start.Line != 1 {
					t.Errorf("diagnostic has no subject on line 1")
				}
				return
			}
			if !ok || len(d.diags) > 0 {
				t.Fatalf("diagnostics: %q", diagStrings(d.diags))
			}
			if got := val.AsString(); got != tt.want || secret != tt.wantSecret {
				t.Errorf("= %q (secret %v), want %q (secret %v)", got, secret, tt.want, tt.wantSecret)
			}
		})
	}
}

func TestUnsetEnvDiagnosticNamesVariable(t *testing.T) {
	_, _, diags := Load("testdata/invalid/env_unset.hcl")
	if len(diags) != 1 {
		t.Fatalf("diagnostics = %q, want one", diagStrings(diags))
	}
	want := `The environment variable "DSRHOST_TEST_UNSET_VARIABLE" is not set. Set it in the environment dsrhost runs in.`
	if diags[0].Detail != want {
		t.Errorf("detail = %q, want %q", diags[0].Detail, want)
	}
}
