package command

import (
	"strings"

	"connectrpc.com/connect"
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
	pos, ok := c.parse(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	id, ok := c.oneID(cmd, pos)
	if !ok {
		return exitUsage
	}
	api, err := c.client()
	if err != nil {
		return c.fail(cmd, err)
	}
	defer api.CloseIdleConnections()
	ctx, stop := c.context()
	defer stop()
	res, err := api.Requests.GetRequestHistory(ctx, connect.NewRequest(&adminv1.GetRequestHistoryRequest{Id: id}))
	if err != nil {
		return c.fail(cmd, err)
	}
	if c.json() {
		return c.output(printJSON(c.stdout(), res.Msg))
	}
	t := newTable(c.stdout(), "TIME", "EVENT", "ACTOR", "INTEGRATION", "MESSAGE")
	for _, ev := range res.Msg.GetEvents() {
		integration := ev.GetIntegration()
		if w := workflowWords[ev.GetWorkflowState()]; integration != "" && w != "" {
			integration += " (" + w + ")"
		}
		t.row(when(ev.GetTime()), ev.GetKind(), ev.GetActor(), integration, ev.GetMessage())
	}
	return c.output(t.flush())
}
