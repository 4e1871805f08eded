package command

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestShellCompletion: with COMP_LINE set, as bash sets it for `complete
// -C dsrhost dsrhost`, the binary answers with the matching commands, and
// for -config with .hcl files and directories.
func TestShellCompletion(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.hcl", "b.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "conf.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string
		want []string
	}{
		{"dsrhost req", []string{"request"}},
		{"dsrhost val", []string{"validate"}},
		{"dsrhost request cl", []string{"close"}},
		{"dsrhost server -config " + dir + "/", []string{dir + "/", dir + "/a.hcl", dir + "/conf.d/"}},
		{"dsrhost validate " + dir + "/", []string{dir + "/", dir + "/a.hcl", dir + "/conf.d/"}},
		{"dsrhost server -log-level d", []string{"debug"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got := completions(t, tt.line)
			if !slices.Equal(got, tt.want) {
				t.Errorf("completions of %q: %q, want %q", tt.line, got, tt.want)
			}
		})
	}
}

// completions runs the CLI as the shell does to complete line and returns
// the sorted candidates it prints.
func completions(t *testing.T, line string) []string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w // posener/complete writes to os.Stdout
	defer func() { os.Stdout = stdout }()
	t.Setenv("COMP_LINE", line)
	t.Setenv("COMP_POINT", strconv.Itoa(len(line)))
	res := runCLI(t)
	w.Close()
	out, _ := io.ReadAll(r)
	if res.code != exitOK {
		t.Fatalf("completion exit %d: %s", res.code, res.stderr)
	}
	got := strings.Fields(string(out))
	slices.Sort(got)
	return got
}
