package command

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/inventory"
	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/hashicorp/cli"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/hcl/v2"
)

// ValidateCommand checks a configuration file, plugins' settings included,
// without contacting any third party.
type ValidateCommand struct {
	UI cli.Ui
	// Stdout and Stderr default to the process's own.
	Stdout, Stderr io.Writer
}

// Synopsis is the one-line help.
func (c *ValidateCommand) Synopsis() string {
	return "Check a configuration and report every mistake"
}

// Help is the full help.
func (c *ValidateCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost validate [options] PATH...

  Checks the configuration PATH holds, as dsrhost server -config PATH reads
  it: HCL syntax, the whole configuration schema, references between blocks,
  that the server's TLS certificate and key load, and each integration's
  settings against its plugin's schema. Each plugin is launched (its SHA-256
  checked first) to read its schema and check its settings offline; no third
  party is contacted.

  PATH is a file or a directory whose .hcl files are read in name order;
  several PATHs (or -config PATH, repeated) are read as one configuration.

  Every mistake is reported at once with file:line:column and the source
  line. Values given through env() or file(), and settings a plugin marks
  sensitive, are never printed.

  Exits 0 when the configuration is valid (warnings allowed), 1 on any error, 2 on a
  usage mistake.

Options:

  -config=PATH   Another PATH; may repeat.
  -format=text   Output format: "text" or "json" (default from
                 $DSRHOST_FORMAT).
  -no-color      Print diagnostics without color.
`)
}

// Run validates the file named in args.
func (c *ValidateCommand) Run(args []string) int {
	stdout, stderr := c.Stdout, c.Stderr
	if stdout == nil {
		stdout = os.Stdout
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, c.Help()) }
	format := fs.String("format", envFormat(nil, "text"), "")
	noColor := fs.Bool("no-color", false, "")
	var paths configPaths
	fs.Var(&paths, "config", "")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	paths = append(paths, fs.Args()...)
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "dsrhost validate: name the configuration, e.g. `dsrhost validate dsrhost.hcl` or `dsrhost validate /etc/dsrhost.d`.")
		return exitUsage
	}
	if *format == "table" { // DSRHOST_FORMAT=table, meant for client commands
		*format = "text"
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "dsrhost validate: -format must be \"text\" or \"json\", not %q.\n", *format)
		return exitUsage
	}

	diags, files := validatePaths(paths, stderr)
	if *format == "json" {
		if err := writeDiagnosticsJSON(stdout, diags); err != nil {
			fmt.Fprintf(stderr, "dsrhost validate: %v\n", err)
			return exitError
		}
	} else if len(diags) > 0 {
		color := !*noColor && isTerminal(stderr)
		if err := config.WriteDiagnostics(stderr, files, diags, color); err != nil {
			fmt.Fprintf(stderr, "dsrhost validate: %v\n", err)
			return exitError
		}
	}
	if diags.HasErrors() {
		if *format == "text" {
			fmt.Fprintf(stderr, "%s is not valid: %s.\n", paths.describe(), countErrors(diags))
		}
		return exitError
	}
	if *format == "text" {
		fmt.Fprintf(stdout, "%s is valid.\n", paths.describe())
	}
	return exitOK
}

// validatePaths loads the configuration and, as far as it can, the
// certificate and plugins it uses.
func validatePaths(paths []string, logOut io.Writer) (hcl.Diagnostics, *config.Files) {
	cfg, files, diags := config.LoadPaths(paths...)
	if cfg == nil {
		return diags, files
	}
	diags = append(diags, cfg.Server.TLS.Check()...)
	logger := hclog.New(&hclog.LoggerOptions{Name: "dsrhost", Level: hclog.Error, Output: logOut})
	host := pluginhost.New(logger, pluginhost.Options{})
	defer host.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, pdiags := inventory.Build(ctx, cfg, host, inventory.Options{ValidateOnly: true})
	diags = append(diags, pdiags...)
	sortByPosition(diags)
	return diags, files
}

// sortByPosition orders diagnostics as they appear in the files, so the
// admin reads them top to bottom whichever stage found them.
func sortByPosition(diags hcl.Diagnostics) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		switch {
		case a == nil || b == nil:
			return a != nil && b == nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		case a.Start.Line != b.Start.Line:
			return a.Start.Line < b.Start.Line
		}
		return a.Start.Column < b.Start.Column
	})
}

func countErrors(diags hcl.Diagnostics) string {
	n := len(diags.Errs())
	if n == 1 {
		return "1 error"
	}
	return fmt.Sprintf("%d errors", n)
}

// jsonDiagnostic is one diagnostic in -format=json output.
type jsonDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	Filename string `json:"filename,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
}

func writeDiagnosticsJSON(w io.Writer, diags hcl.Diagnostics) error {
	out := struct {
		Valid       bool             `json:"valid"`
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
	}{Valid: !diags.HasErrors(), Diagnostics: []jsonDiagnostic{}}
	for _, d := range diags {
		jd := jsonDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if d.Subject != nil {
			jd.Filename, jd.Line, jd.Column = d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column
		}
		out.Diagnostics = append(out.Diagnostics, jd)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
