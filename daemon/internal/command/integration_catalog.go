package command

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/dsrhost/dsrhost/plugins/genericrest/catalog"
	"github.com/hashicorp/cli"
)

// IntegrationCatalogCommand lists genericrest's catalogue of ready-made
// SaaS integrations, or prints one entry. It runs offline: the catalogue
// is built into dsrhost and the genericrest plugin alike.
type IntegrationCatalogCommand struct {
	// Stdout and Stderr default to the process's own.
	Stdout, Stderr io.Writer
}

func newCatalogCommand(ui cli.Ui) *IntegrationCatalogCommand {
	c := &IntegrationCatalogCommand{}
	if b, ok := ui.(*cli.BasicUi); ok {
		c.Stdout, c.Stderr = b.Writer, b.ErrorWriter
	}
	return c
}

// Synopsis is the one-line help.
func (c *IntegrationCatalogCommand) Synopsis() string {
	return "List ready-made SaaS integration templates, or print one"
}

// Help is the full help.
func (c *IntegrationCatalogCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost integration catalog [options] [NAME]

  Without NAME, lists the catalogue: ready-made genericrest settings for
  widely used SaaS APIs. With NAME, prints the entry's page (permissions to
  grant, what is found and deleted, synchronous or asynchronous), an
  integration block to start from, and the settings the entry expands to.

  An integration uses an entry by name, with only its own values and
  secrets:

      integration "newsletter" {
        plugin = "genericrest"
        settings {
          template = "mailchimp"
          values   = { dc = "us6", list_id = "abc123" }
          secrets  = { api_key = env("MAILCHIMP_API_KEY") }
        }
      }

      $ dsrhost integration catalog
      $ dsrhost integration catalog zendesk

Options:

  -format=text   Output format: "text" or "json".
`)
}

// Run lists the catalogue or prints one entry.
func (c *IntegrationCatalogCommand) Run(args []string) int {
	stdout, stderr := c.Stdout, c.Stderr
	if stdout == nil {
		stdout = os.Stdout
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	fs := flag.NewFlagSet("integration catalog", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, c.Help()) }
	format := fs.String("format", "text", "")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "dsrhost integration catalog: -format must be \"text\" or \"json\", not %q.\n", *format)
		return exitUsage
	}
	switch fs.NArg() {
	case 0:
		return c.list(stdout, stderr, *format)
	case 1:
		e, ok := catalog.Get(fs.Arg(0))
		if !ok {
			fmt.Fprintf(stderr, "dsrhost integration catalog: no entry %q; the catalogue has %s.\n", fs.Arg(0), strings.Join(catalog.Names(), ", "))
			return exitError
		}
		return c.show(stdout, stderr, e, *format)
	}
	fmt.Fprintln(stderr, "dsrhost integration catalog: expected at most one NAME, e.g. `dsrhost integration catalog mailchimp`.")
	return exitUsage
}

// catalogEntry is an entry as -format json prints it; the page, example
// and source only when one entry is shown.
type catalogEntry struct {
	*catalog.Entry
	Page    string `json:"page,omitempty"`
	Example string `json:"example,omitempty"`
	Source  string `json:"source,omitempty"`
}

func (c *IntegrationCatalogCommand) list(stdout, stderr io.Writer, format string) int {
	var all []catalogEntry
	for _, name := range catalog.Names() {
		e, _ := catalog.Get(name)
		all = append(all, catalogEntry{Entry: e})
	}
	if format == "json" {
		return writeJSONOr(stdout, stderr, all)
	}
	t := newTable(stdout, "NAME", "TITLE", "CATEGORY", "BEHAVIOUR", "NEEDS")
	for _, e := range all {
		var needs []string
		for _, m := range []map[string]string{e.Values, e.Secrets} {
			needs = append(needs, slices.Sorted(maps.Keys(m))...)
		}
		t.row(e.Name, e.Title, e.Category, e.Behaviour, strings.Join(needs, ","))
	}
	if err := t.flush(); err != nil {
		fmt.Fprintf(stderr, "dsrhost integration catalog: %v\n", err)
		return exitError
	}
	return exitOK
}

func (c *IntegrationCatalogCommand) show(stdout, stderr io.Writer, e *catalog.Entry, format string) int {
	if format == "json" {
		return writeJSONOr(stdout, stderr, catalogEntry{Entry: e, Page: e.Page(), Example: e.Example(), Source: e.Source()})
	}
	fmt.Fprintf(stdout, "%s\nAPI reference: %s\n\n## Use it\n\n%s\n## What it expands to\n\n%s", strings.TrimSpace(e.Page()), e.Docs, e.Example(), e.Source())
	return exitOK
}

func writeJSONOr(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "dsrhost integration catalog: %v\n", err)
		return exitError
	}
	return exitOK
}
