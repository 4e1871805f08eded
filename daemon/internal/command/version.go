package command

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/dsrhost/dsrhost/sdk"
)

// Commit is the source revision, set at build time with -ldflags; when
// empty it is read from the build information Go records for builds made
// inside a git checkout.
var Commit = ""

// BuildInfo is what `dsrhost version` reports.
type BuildInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	// Modified is true when the build had uncommitted changes.
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version"`
	// PluginProtocol is the dsrhost.connector.v1 protocol version plugins
	// must speak (go-plugin's handshake checks it).
	PluginProtocol int    `json:"plugin_protocol"`
	Platform       string `json:"platform"`
}

// Build returns this binary's build information.
func Build() BuildInfo {
	b := BuildInfo{
		Version: Version, Commit: Commit, GoVersion: runtime.Version(),
		PluginProtocol: sdk.ProtocolVersion, Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	return b
}

// versionLine is the one-line form `--version` prints.
func (b BuildInfo) versionLine() string {
	commit := b.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if b.Modified {
		commit += "+dirty"
	}
	return fmt.Sprintf("dsrhost %s (%s)", b.Version, commit)
}

// VersionCommand prints the build information.
type VersionCommand struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// Synopsis is the one-line help.
func (c *VersionCommand) Synopsis() string { return "Print the version, commit and plugin protocol" }

// Help is the full help.
func (c *VersionCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost version [-format=text|json]

  Prints dsrhost's version, the commit it was built from, the Go version
  and the plugin protocol version a connector must speak. --version prints
  the first line only.

Options:

  -format=text   text or json (default from DSRHOST_FORMAT).
`)
}

// Run prints the build information.
func (c *VersionCommand) Run(args []string) int {
	stdout, stderr := orStd(c.Stdout, os.Stdout), orStd(c.Stderr, os.Stderr)
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, c.Help()) }
	format := fs.String("format", envFormat(c.Getenv, "text"), "")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "dsrhost version: unexpected argument %q.\n", fs.Arg(0))
		return exitUsage
	}
	b := Build()
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(b); err != nil {
			return exitError
		}
	case "text", "table":
		fmt.Fprintf(stdout, "%s\nCommit:          %s\nGo:              %s\nPlatform:        %s\nPlugin protocol: %d\n",
			b.versionLine(), b.Commit, b.GoVersion, b.Platform, b.PluginProtocol)
	default:
		fmt.Fprintf(stderr, "dsrhost version: -format must be \"text\" or \"json\", not %q.\n", *format)
		return exitUsage
	}
	return exitOK
}

// envFormat is the output format DSRHOST_FORMAT asks for, or def.
func envFormat(getenv func(string) string, def string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if f := getenv("DSRHOST_FORMAT"); f != "" {
		return f
	}
	return def
}

// orStd returns w, or std when w is nil.
func orStd(w, std io.Writer) io.Writer {
	if w == nil {
		return std
	}
	return w
}
