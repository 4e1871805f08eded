package config

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// multi is where the multi-file fixtures live.
const multi = "testdata/multi"

// TestLoadPathsMerges: a directory and a file given together merge into one
// configuration, the directory's hidden and non-.hcl files unread, and
// file() reads beside the file that calls it.
func TestLoadPathsMerges(t *testing.T) {
	cfg, _, diags := LoadPaths(filepath.Join(multi, "conf.d"), filepath.Join(multi, "extra", "replies.hcl"))
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %q", fileDiagStrings(diags))
	}
	if cfg.Redis.URL.Value() != "redis://127.0.0.1:6379" || cfg.Server.Listen != "127.0.0.1:8700" {
		t.Errorf("core blocks not read: redis %q, listen %q", cfg.Redis.URL.Value(), cfg.Server.Listen)
	}
	if got := slices.Sorted(maps.Keys(cfg.Integrations)); !slices.Equal(got, []string{"analytics", "crm"}) {
		t.Errorf("integrations %q, want analytics and crm", got)
	}
	if got := cfg.Integrations["analytics"].DependsOn; !slices.Equal(got, []string{"crm"}) {
		t.Errorf("depends_on across files: %q", got)
	}
	rt := cfg.ReplyTemplates["access"]
	if rt == nil || strings.TrimSpace(rt.Body) != "Hello from extra/templates." {
		t.Errorf("file() did not read beside replies.hcl: %+v", rt)
	}
	if want := filepath.Join(multi, "conf.d", "00-core.hcl"); cfg.Filename != want {
		t.Errorf("Filename %q, want the first file read, %q", cfg.Filename, want)
	}
}

// TestLoadPathsDiagnostics: mistakes across files are reported with the
// file, line and column of each, and a duplicate names the other place.
func TestLoadPathsDiagnostics(t *testing.T) {
	dup := func(name string) string { return filepath.Join(multi, "duplicate", name) }
	tests := []struct {
		name  string
		paths []string
		want  []string // "file:line:column: summary", in order
		// detail holds text one diagnostic's detail must contain.
		detail []string
	}{
		{
			name:  "duplicates across files",
			paths: []string{filepath.Join(multi, "duplicate")},
			want: []string{
				dup("b.hcl") + ":1:1: Duplicate argument",
				dup("b.hcl") + ":3:3: Duplicate integration block",
				dup("b.hcl") + ":7:1: Duplicate redis block",
			},
			detail: []string{dup("a.hcl") + ":5,1", dup("a.hcl") + ":7:1", dup("a.hcl") + ":1:1"},
		},
		{
			name:  "the same directory named twice is read once",
			paths: []string{filepath.Join(multi, "conf.d"), filepath.Join(multi, "conf.d") + "/", filepath.Join(multi, "conf.d", "00-core.hcl")},
		},
		{
			name:  "syntax errors of every file",
			paths: []string{filepath.Join(multi, "syntax")},
			want: []string{
				filepath.Join(multi, "syntax", "a.hcl") + ":1:7: Unclosed configuration block",
				filepath.Join(multi, "syntax", "b.hcl") + ":1:18: Invalid expression",
			},
		},
		{
			name:  "a required argument missing from every file",
			paths: []string{filepath.Join(multi, "no_key.hcl"), filepath.Join(multi, "typo.hcl")},
			want: []string{
				filepath.Join(multi, "no_key.hcl") + ":1:1: Missing required argument",
				filepath.Join(multi, "typo.hcl") + ":3:17: Reference to undeclared integration",
			},
		},
		{
			name:  "a directory without .hcl files",
			paths: []string{filepath.Join(multi, "empty")},
			want:  []string{filepath.Join(multi, "empty") + ":1:1: No configuration files in directory"},
		},
		{
			name:  "a missing path",
			paths: []string{filepath.Join(multi, "conf.d"), filepath.Join(multi, "absent.hcl")},
			want:  []string{filepath.Join(multi, "absent.hcl") + ":1:1: Cannot read configuration file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, files, diags := LoadPaths(tt.paths...)
			if got := fileDiagStrings(diags); !slices.Equal(got, tt.want) {
				t.Fatalf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i, want := range tt.detail {
				if !strings.Contains(diags[i].Detail, want) {
					t.Errorf("%s: detail %q does not name %s", diags[i].Summary, diags[i].Detail, want)
				}
			}
			for _, d := range diags {
				if d.Subject != nil && !strings.HasSuffix(d.Subject.Filename, ".hcl") {
					continue // a directory: no source to show
				}
				if d.Subject != nil && files.Map()[d.Subject.Filename] == nil && !strings.Contains(d.Summary, "Cannot read") {
					t.Errorf("no source kept for %s, so no snippet can be shown", d.Subject.Filename)
				}
			}
		})
	}
}

// fileDiagStrings renders diagnostics as "file:line:column: summary".
func fileDiagStrings(diags hcl.Diagnostics) []string {
	return renderDiags(diags, position)
}
