package command

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/client"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// RequestGetCommand shows one request.
type RequestGetCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *RequestGetCommand) Synopsis() string { return "Show a request with its integrations" }

// Help is the full help.
func (c *RequestGetCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request get [options] ID

  Shows a request: its subject, stage and due date, every integration's
  state as the product's tables word it ("Complete 3 records found"), with
  the error and remediation of any that failed, and the manual checklist.
  Needs a viewer token.

      $ dsrhost request get 01JA2B3C4D5E6F7G8H9JKMNPQR
      $ dsrhost request get -format json 01JA2B3C4D5E6F7G8H9JKMNPQR | jq .request.stage
` + clientHelp)
}

// Run shows the request.
func (c *RequestGetCommand) Run(args []string) int {
	const cmd = "request get"
	fs := c.flagSet(cmd, c.Help)
	id, ok := c.parseID(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	return show(&c.clientMeta, cmd, func(ctx context.Context, api *client.Client) (*adminv1.GetRequestResponse, error) {
		return unary(ctx, api.Requests.GetRequest, &adminv1.GetRequestRequest{Id: id})
	}, func(w io.Writer, res *adminv1.GetRequestResponse) error {
		return writeRequest(w, res.GetRequest())
	})
}

// writeRequest prints a request for people.
func writeRequest(w io.Writer, r *adminv1.Request) error {
	kv := newTable(w)
	kv.row("ID", r.GetId())
	kv.row("Type", requestTypeWords[r.GetType()])
	kv.row("Stage", stageCell(r))
	s := r.GetSubject()
	kv.row("Email", s.GetEmail())
	if s.GetPhone() != "" {
		kv.row("Phone", s.GetPhone())
	}
	if s.GetUserId() != "" {
		kv.row("User ID", s.GetUserId())
	}
	for _, k := range slices.Sorted(maps.Keys(s.GetIdentifiers())) {
		kv.row("Identifier "+k, s.GetIdentifiers()[k])
	}
	source := r.GetSource()
	if r.GetSourceDetail() != "" {
		source += " (" + r.GetSourceDetail() + ")"
	}
	kv.row("Source", source)
	if r.GetDetails() != "" {
		kv.row("Details", r.GetDetails())
	}
	kv.row("Created", when(r.GetCreatedAt()))
	kv.row("Due", dueCell(r))
	if r.GetClosedAt() != nil {
		kv.row("Closed", when(r.GetClosedAt()))
	}
	if len(r.GetSelectedSources()) > 0 {
		kv.row("Sources", strings.Join(r.GetSelectedSources(), ", "))
	}
	if err := kv.flush(); err != nil {
		return err
	}
	if len(r.GetIntegrations()) > 0 {
		fmt.Fprintln(w, "\nIntegrations:")
		t := newTable(w, "NAME", "CATEGORY", "TYPE", "WORKFLOW STATE", "STATE", "ATTEMPTS")
		for _, it := range r.GetIntegrations() {
			t.row(it.GetName(), it.GetCategory(), integrationTypeWords[it.GetType()], workflowWords[it.GetWorkflowState()],
				integrationStateCell(it), fmt.Sprint(it.GetAttempts()))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	if len(r.GetManualTasks()) > 0 {
		fmt.Fprintln(w, "\nManual tasks:")
		t := newTable(w, "NAME", "CATEGORY", "DONE", "BY", "INSTRUCTIONS")
		for _, m := range r.GetManualTasks() {
			done := "no"
			if m.GetDone() {
				done = "yes, " + when(m.GetDoneAt())
			}
			t.row(m.GetName(), m.GetCategory(), done, m.GetDoneBy(), m.GetInstructions())
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	return nil
}
