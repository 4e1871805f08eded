package command

import (
	"fmt"
	"strings"

	"github.com/hashicorp/cli"
)

// subcommandList is the "Subcommands:" section printed when a parent
// command runs without one (with -h, the CLI library prints its own).
func subcommandList(entries ...[2]string) string {
	var b strings.Builder
	b.WriteString("\n\nSubcommands:\n")
	width := 0
	for _, e := range entries {
		width = max(width, len(e[0]))
	}
	for _, e := range entries {
		fmt.Fprintf(&b, "    %-*s    %s\n", width, e[0], e[1])
	}
	return b.String()
}

// RequestCommand is the parent of the request subcommands.
type RequestCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *RequestCommand) Synopsis() string { return "Create, inspect and act on privacy requests" }

// Help is the full help.
func (c *RequestCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request <subcommand> [options] [args]

  Works with the privacy requests of a running dsrhost daemon through its
  admin API. Reading needs a viewer token; acting needs an operator token.

  Create a deletion request and approve it:

      $ dsrhost request create -type deletion -email ada@example.com
      $ dsrhost request approve 01JA2B3C4D5E6F7G8H9JKMNPQR

  List the requests waiting for review, as JSON:

      $ dsrhost request list -stage review -format json

  Every subcommand reads DSRHOST_ADDR and DSRHOST_TOKEN; -h shows its options.
`)
}

// Run prints the help: the subcommand is missing.
func (c *RequestCommand) Run(args []string) int {
	fmt.Fprintln(c.stderr(), c.Help()+subcommandList(
		[2]string{"approve", "Move a request from Review to Process"},
		[2]string{"approve-deletion", "Let a request held in Pending Delete go on"},
		[2]string{"close", "Send the reply and close a request"},
		[2]string{"create", "File a new privacy request"},
		[2]string{"export", "Download a request's access results as a zip"},
		[2]string{"get", "Show a request with its integrations"},
		[2]string{"history", "Show a request's history"},
		[2]string{"list", "List requests, newest first"},
		[2]string{"reject", "Reject a request in Review"},
		[2]string{"report", "Request metrics per type (CCPA §7102) for a date range"},
		[2]string{"watch", "Follow a request as it changes"},
	))
	return exitUsage
}

var _ cli.Command = (*RequestCommand)(nil)
