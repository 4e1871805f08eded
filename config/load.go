package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

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

// Load reads and decodes the configuration at path, a file or a
// directory. See [LoadPaths].
func Load(path string) (*Config, *Files, hcl.Diagnostics) {
	return LoadPaths(path)
}

// LoadPaths reads and decodes a configuration spread over paths, as
// Vault's and Nomad's repeated -config: each path is a file, or a directory
// whose *.hcl files are read in name order. The files' blocks and
// arguments merge into one configuration; a block name or an argument
// declared twice, in one file or across two, is a diagnostic naming both
// places. file() and tls paths resolve from the file that names them.
func LoadPaths(paths ...string) (*Config, *Files, hcl.Diagnostics) {
	names, diags := configFiles(paths)
	var sources []source
	for _, name := range names {
		src, err := readBounded(name)
		switch {
		case errors.Is(err, errTooLarge):
			diags = append(diags, tooLarge(name))
		case err != nil:
			diags = append(diags, cannotRead(name, err))
		default:
			sources = append(sources, source{name: name, src: src})
		}
	}
	if diags.HasErrors() {
		return nil, &Files{parser: hclparse.NewParser()}, diags
	}
	return parseSources(sources)
}

// Parse decodes configuration source read from filename; file() reads
// paths relative to filename's directory. It returns every diagnostic at
// once, sorted by position. The Config is nil when the file does not parse
// and otherwise holds what could be decoded: use it only when the
// diagnostics hold no error.
func Parse(filename string, src []byte) (*Config, *Files, hcl.Diagnostics) {
	return parseSources([]source{{name: filename, src: src}})
}

// source is one configuration file's name and contents.
type source struct {
	name string
	src  []byte
}

// parseSources parses every source, reporting the syntax errors of all of
// them, then decodes their merged bodies as one configuration.
func parseSources(sources []source) (*Config, *Files, hcl.Diagnostics) {
	parser := hclparse.NewParser()
	files := &Files{parser: parser}
	var (
		diags  hcl.Diagnostics
		parsed []*hcl.File
	)
	for _, s := range sources {
		if bdiags := checkBounds(s.name, s.src); bdiags.HasErrors() {
			// The source is kept for the diagnostic's snippet, unparsed.
			parser.AddFile(s.name, &hcl.File{Bytes: s.src})
			diags = append(diags, bdiags...)
			continue
		}
		file, pdiags := parser.ParseHCL(s.src, s.name)
		diags = append(diags, pdiags...)
		parsed = append(parsed, file)
	}
	if diags.HasErrors() {
		// Decoding a partly parsed body would add confusing follow-on
		// errors (a "missing" block after the syntax error).
		return nil, files, sortDiagnostics(diags)
	}
	body := parsed[0].Body
	if len(parsed) > 1 {
		body = hcl.MergeFiles(parsed)
	}
	cfg, decodeDiags := decodeRoot(sources[0].name, body)
	diags = append(diags, decodeDiags...)
	return cfg, files, sortDiagnostics(diags)
}

// configFiles expands paths into the files to read: a file as given, a
// directory's *.hcl files (not hidden ones) in name order. A file named
// twice is read once.
func configFiles(paths []string) ([]string, hcl.Diagnostics) {
	var (
		names []string
		diags hcl.Diagnostics
		seen  = map[string]bool{}
	)
	add := func(name string) {
		if clean := filepath.Clean(name); !seen[clean] {
			seen[clean] = true
			names = append(names, name)
		}
	}
	if len(paths) == 0 {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No configuration file",
			Detail: "Name a configuration file or a directory of .hcl files."}}
	}
	for _, path := range paths {
		info, err := os.Stat(path)
		if err != nil || !info.IsDir() {
			add(path) // reading it reports what is wrong
			continue
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			diags = append(diags, cannotRead(path, err))
			continue
		}
		found := false
		for _, e := range entries { // ReadDir sorts by name
			if !e.IsDir() && filepath.Ext(e.Name()) == ".hcl" && !strings.HasPrefix(e.Name(), ".") {
				add(filepath.Join(path, e.Name()))
				found = true
			}
		}
		if !found {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "No configuration files in directory",
				Detail:   fmt.Sprintf("The directory %s holds no .hcl file.", path),
				Subject:  &hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos},
			})
		}
	}
	return names, diags
}

// cannotRead is the diagnostic of a configuration file or directory that
// cannot be read.
func cannotRead(path string, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Cannot read configuration file",
		Detail:   fmt.Sprintf("Cannot read %s: %v.", path, err),
		Subject:  &hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos},
	}
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
