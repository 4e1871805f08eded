package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// Files holds the source of the configuration files read, so that
// diagnostics can show the lines they point at.
type Files struct {
	parser *hclparse.Parser
}

// Map returns the parsed files by name, as hcl's diagnostic writers want
// them. It is nil-safe.
func (f *Files) Map() map[string]*hcl.File {
	if f == nil || f.parser == nil {
		return nil
	}
	return f.parser.Files()
}

// Load reads and decodes the configuration file at path. See [Parse].
func Load(path string) (*Config, *Files, hcl.Diagnostics) {
	src, err := readBounded(path)
	if errors.Is(err, errTooLarge) {
		return nil, &Files{parser: hclparse.NewParser()}, hcl.Diagnostics{tooLarge(path)}
	}
	if err != nil {
		return nil, &Files{parser: hclparse.NewParser()}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration file",
			Detail:   fmt.Sprintf("Cannot read %s: %v.", path, err),
			Subject:  &hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos},
		}}
	}
	return Parse(path, src)
}

// Parse decodes configuration source read from filename; file() reads
// paths relative to filename's directory. It returns every diagnostic at
// once, sorted by position. The Config is nil when the file does not parse
// and otherwise holds what could be decoded: use it only when the
// diagnostics hold no error.
func Parse(filename string, src []byte) (*Config, *Files, hcl.Diagnostics) {
	parser := hclparse.NewParser()
	files := &Files{parser: parser}
	if diags := checkBounds(filename, src); diags.HasErrors() {
		// The source is kept for the diagnostic's snippet, unparsed.
		parser.AddFile(filename, &hcl.File{Bytes: src})
		return nil, files, diags
	}
	file, diags := parser.ParseHCL(src, filename)
	if diags.HasErrors() {
		// Decoding a partly parsed body would add confusing follow-on
		// errors (a "missing" block after the syntax error).
		return nil, files, sortDiagnostics(diags)
	}
	cfg, decodeDiags := decodeRoot(filename, file.Body, evalContext(filepath.Dir(filename)))
	diags = append(diags, decodeDiags...)
	return cfg, files, sortDiagnostics(diags)
}

// errTooLarge is readBounded's answer to a file over MaxFileBytes.
var errTooLarge = errors.New("configuration file too large")

// readBounded reads at most MaxFileBytes+1 bytes of path, so a huge file
// (or /dev/zero given by mistake) is refused without being held whole.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(src) > MaxFileBytes {
		return src, errTooLarge
	}
	return src, nil
}

// sortDiagnostics orders diagnostics by file and position, so they read
// top to bottom; diagnostics without a subject come first.
func sortDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	slices.SortStableFunc(diags, func(a, b *hcl.Diagnostic) int {
		switch {
		case a.Subject == nil && b.Subject == nil:
			return 0
		case a.Subject == nil:
			return -1
		case b.Subject == nil:
			return 1
		case a.Subject.Filename != b.Subject.Filename:
			if a.Subject.Filename < b.Subject.Filename {
				return -1
			}
			return 1
		}
		return a.Subject.Start.Byte - b.Subject.Start.Byte
	})
	return diags
}
