package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBounds feeds files that used to overflow the HCL parser's stack (a
// fatal error that killed the process) and checks each is refused with one
// diagnostic at file:line:column, while a realistic nesting still parses.
func TestBounds(t *testing.T) {
	const deep = 60000
	tests := []struct {
		name string
		src  string
		// want is "line:column: summary"; "" means no bound is crossed.
		want string
	}{
		{"60,000 nested brackets", "x = " + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "\n",
			"1:105: Configuration nested too deeply"},
		{"60,000 nested braces", "\nx = " + strings.Repeat("{a=", deep) + "1" + strings.Repeat("}", deep) + "\n",
			"2:305: Configuration nested too deeply"},
		{"60,000 nested parentheses", "x = " + strings.Repeat("(", deep) + "1" + strings.Repeat(")", deep) + "\n",
			"1:105: Configuration nested too deeply"},
		{"60,000 nested interpolations", `x = "` + strings.Repeat(`${"`, deep) + strings.Repeat(`"}`, deep) + "\"\n",
			"Configuration nested too deeply"},
		{"unterminated brackets", "x = " + strings.Repeat("[", deep) + "\n", "1:105: Configuration nested too deeply"},
		{"60,000 negations", "x = " + strings.Repeat("!", deep) + "true\n", "1:105: Too many operators in a row"},
		{"60,000 chained conditionals", "x = " + strings.Repeat("true ? 1 : ", deep) + "2\n", "Too many conditional expressions"},
		{"a file over the size bound", "# " + strings.Repeat("x", MaxFileBytes) + "\n", "1:1: Configuration file too large"},
		{"nesting at the bound", "x = " + strings.Repeat("[", MaxNesting) + strings.Repeat("]", MaxNesting) + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := checkBounds("dsrhost.hcl", []byte(tt.src))
			if tt.want == "" {
				if diags.HasErrors() {
					t.Fatalf("refused: %v", diags)
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("got %d diagnostics %v, want one", len(diags), diags)
			}
			if got := diagStrings(diags[:1])[0]; !strings.HasSuffix(got, tt.want) || diags[0].Subject.Filename != "dsrhost.hcl" {
				t.Fatalf("got %q in %s, want %q", got, diags[0].Subject.Filename, tt.want)
			}
		})
	}
}

// TestLoadRefusesDeepNesting goes through Load, as `dsrhost validate` and a
// reload do: the deep file is refused with its position and never parsed.
func TestLoadRefusesDeepNesting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deep.hcl")
	src := "redis {\n  url = " + strings.Repeat("[", 60000) + strings.Repeat("]", 60000) + "\n}\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, files, diags := Load(path)
	if cfg != nil || len(diags) != 1 || diags[0].Summary != "Configuration nested too deeply" {
		t.Fatalf("cfg %v, diags %v", cfg, diags)
	}
	if got := diagStrings(diags[:1])[0]; !strings.HasPrefix(got, "2:108:") { // the redis block's brace is the first level
		t.Errorf("position %q, want 2:108", got)
	}
	if files.Map()[path] == nil {
		t.Error("the refused file's source is not kept for the diagnostic's snippet")
	}
}
