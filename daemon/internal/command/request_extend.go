package command

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/client"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// RequestExtendCommand extends a request's deadline.
type RequestExtendCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *RequestExtendCommand) Synopsis() string {
	return "Extend a request's deadline, once, with a reason"
}

// Help is the full help.
func (c *RequestExtendCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request extend -reason TEXT ID

  Moves the request's due date by its request type's extension (for example
  GDPR's two further months), once, before the first period ends. The
  subject is told by email, with the reason and the new date; the reason is
  kept in the history. Needs an operator token.

      $ dsrhost request extend 01JA2B3C4D5E6F7G8H9JKMNPQR -reason "Records are held by 14 processors"

Extend options:

  -reason=<text>      Why more time is needed (required), told to the subject.
` + clientHelp)
}

// Run extends.
func (c *RequestExtendCommand) Run(args []string) int {
	const cmd = "request extend"
	fs := c.flagSet(cmd, c.Help)
	reason := fs.String("reason", "", "")
	id, ok := c.parseID(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	if strings.TrimSpace(*reason) == "" {
		c.usageError(cmd, "-reason is required: the subject is told why their request needs more time.")
		return exitUsage
	}
	return show(&c.clientMeta, cmd, func(ctx context.Context, api *client.Client) (*adminv1.ExtendRequestResponse, error) {
		return unary(ctx, api.Requests.ExtendRequest, &adminv1.ExtendRequestRequest{Id: id, Reason: *reason})
	}, func(w io.Writer, res *adminv1.ExtendRequestResponse) error {
		r := res.GetRequest()
		fmt.Fprintf(w, "Extended request %s: now due %s; the subject was told.\n", r.GetId(), day(r.GetDueAt()))
		return nil
	})
}
