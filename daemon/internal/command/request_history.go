package command

import (
	"context"
	"io"
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/client"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// RequestHistoryCommand shows a request's history.
type RequestHistoryCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *RequestHistoryCommand) Synopsis() string { return "Show a request's history" }

// Help is the full help.
func (c *RequestHistoryCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request history [options] ID

  Shows a request's append-only history, oldest first: every stage change,
  integration state and attempt, operator action with the token's name, and
  reply. Needs a viewer token.

      $ dsrhost request history 01JA2B3C4D5E6F7G8H9JKMNPQR
` + clientHelp)
}

// Run shows the history.
func (c *RequestHistoryCommand) Run(args []string) int {
	const cmd = "request history"
	fs := c.flagSet(cmd, c.Help)
	id, ok := c.parseID(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	return show(&c.clientMeta, cmd, func(ctx context.Context, api *client.Client) (*adminv1.GetRequestHistoryResponse, error) {
		return unary(ctx, api.Requests.GetRequestHistory, &adminv1.GetRequestHistoryRequest{Id: id})
	}, writeHistory)
}

// writeHistory prints a request's history for people.
func writeHistory(w io.Writer, res *adminv1.GetRequestHistoryResponse) error {
	t := newTable(w, "TIME", "EVENT", "ACTOR", "INTEGRATION", "MESSAGE")
	for _, ev := range res.GetEvents() {
		integration := ev.GetIntegration()
		if ws := workflowWords[ev.GetWorkflowState()]; integration != "" && ws != "" {
			integration += " (" + ws + ")"
		}
		t.row(when(ev.GetTime()), ev.GetKind(), ev.GetActor(), integration, ev.GetMessage())
	}
	return t.flush()
}
