package command

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/client"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"google.golang.org/protobuf/proto"
)

// RequestApproveCommand moves a request from Review to Process.
type RequestApproveCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *RequestApproveCommand) Synopsis() string { return "Move a request from Review to Process" }

// Help is the full help.
func (c *RequestApproveCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request approve [options] ID

  Continues a request out of Review: its integrations start. By default
  every applicable data source runs; -source picks some. Needs an operator
  token.

      $ dsrhost request approve 01JA2B3C4D5E6F7G8H9JKMNPQR
      $ dsrhost request approve 01JA2B3C4D5E6F7G8H9JKMNPQR -source crm -source paper-archive

Approve options:

  -source=<name>   An integration or manual data source to run; repeat (or
                   separate with commas) for more.
` + clientHelp)
}

// Run approves.
func (c *RequestApproveCommand) Run(args []string) int {
	const cmd = "request approve"
	fs := c.flagSet(cmd, c.Help)
	var sources stringList
	fs.Var(&sources, "source", "")
	id, ok := c.parseID(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	return requestAction(&c.clientMeta, cmd, "Approved", func(ctx context.Context, api requestsClient) (*adminv1.ApproveRequestResponse, error) {
		return unary(ctx, api.ApproveRequest, &adminv1.ApproveRequestRequest{Id: id, Sources: sources})
	})
}

// RequestApproveDeletionCommand lets Pending Delete go on.
type RequestApproveDeletionCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *RequestApproveDeletionCommand) Synopsis() string {
	return "Let a request held in Pending Delete go on"
}

// Help is the full help.
func (c *RequestApproveDeletionCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request approve-deletion [options] ID

  Where the request type sets require_deletion_approval, a request waits in
  Pending Delete until an operator approves: this is that approval. Needs
  an operator token.

      $ dsrhost request approve-deletion 01JA2B3C4D5E6F7G8H9JKMNPQR
` + clientHelp)
}

// Run approves the deletion.
func (c *RequestApproveDeletionCommand) Run(args []string) int {
	const cmd = "request approve-deletion"
	fs := c.flagSet(cmd, c.Help)
	id, ok := c.parseID(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	return requestAction(&c.clientMeta, cmd, "Approved deletion for", func(ctx context.Context, api requestsClient) (*adminv1.ApproveDeletionResponse, error) {
		return unary(ctx, api.ApproveDeletion, &adminv1.ApproveDeletionRequest{Id: id})
	})
}

// replyFlags are the options that edit a reply to the subject.
type replyFlags struct {
	subject, body, bodyFile string
}

const replyHelp = `
  -subject=<text>     The reply's subject line, instead of the template's.

  -body=<text>        The reply's body, instead of the template's.

  -body-file=<file>   Read the body from a file ("-" for standard input).
`

func (r *replyFlags) register(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&r.subject, "subject", "", "")
	fs.StringVar(&r.body, "body", "", "")
	fs.StringVar(&r.bodyFile, "body-file", "", "")
}

// reply returns the edited reply, nil when nothing was edited. A mistake
// in the reply options is printed as a usage error, and ok is false.
func (r *replyFlags) reply(m *clientMeta, cmd string) (reply *adminv1.Reply, ok bool) {
	if r.body != "" && r.bodyFile != "" {
		m.usageError(cmd, "give -body or -body-file, not both")
		return nil, false
	}
	body := r.body
	if r.bodyFile != "" {
		var b []byte
		var err error
		if r.bodyFile == "-" {
			b, err = readAll(os.Stdin)
		} else {
			b, err = os.ReadFile(r.bodyFile)
		}
		if err != nil {
			m.usageError(cmd, fmt.Sprintf("read -body-file: %v", err))
			return nil, false
		}
		body = string(b)
	}
	if r.subject == "" && body == "" {
		return nil, true
	}
	return &adminv1.Reply{Subject: r.subject, Body: body}, true
}

// RequestRejectCommand rejects a request in Review.
type RequestRejectCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *RequestRejectCommand) Synopsis() string { return "Reject a request in Review" }

// Help is the full help.
func (c *RequestRejectCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request reject [options] ID

  Rejects a request in Review and closes it, answering the subject from the
  "rejected" reply template unless -subject or -body replace its parts.
  The reason is kept in the history. Needs an operator token.

      $ dsrhost request reject 01JA2B3C4D5E6F7G8H9JKMNPQR -reason "Identity not verified"

Reject options:

  -reason=<text>      Why, for the history.
` + replyHelp + clientHelp)
}

// Run rejects.
func (c *RequestRejectCommand) Run(args []string) int {
	const cmd = "request reject"
	fs := c.flagSet(cmd, c.Help)
	reason := fs.String("reason", "", "")
	var rf replyFlags
	rf.register(fs)
	id, ok := c.parseID(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	reply, ok := rf.reply(&c.clientMeta, cmd)
	if !ok {
		return exitUsage
	}
	return requestAction(&c.clientMeta, cmd, "Rejected", func(ctx context.Context, api requestsClient) (*adminv1.RejectRequestResponse, error) {
		return unary(ctx, api.RejectRequest, &adminv1.RejectRequestRequest{Id: id, Reason: *reason, Reply: reply})
	})
}

// RequestCloseCommand sends the reply and closes a request.
type RequestCloseCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *RequestCloseCommand) Synopsis() string { return "Send the reply and close a request" }

// Help is the full help.
func (c *RequestCloseCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request close [options] ID

  Answers the subject of a request in Reply, from the reply template of its
  type unless -subject or -body replace its parts, and closes it. Access
  results are purged results_retention later. Needs an operator token.

      $ dsrhost request close 01JA2B3C4D5E6F7G8H9JKMNPQR
      $ dsrhost request close 01JA2B3C4D5E6F7G8H9JKMNPQR -body-file reply.txt

Reply options:
` + replyHelp + clientHelp)
}

// Run closes.
func (c *RequestCloseCommand) Run(args []string) int {
	const cmd = "request close"
	fs := c.flagSet(cmd, c.Help)
	var rf replyFlags
	rf.register(fs)
	id, ok := c.parseID(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	reply, ok := rf.reply(&c.clientMeta, cmd)
	if !ok {
		return exitUsage
	}
	return requestAction(&c.clientMeta, cmd, "Closed", func(ctx context.Context, api requestsClient) (*adminv1.CloseRequestResponse, error) {
		return unary(ctx, api.CloseRequest, &adminv1.CloseRequestRequest{Id: id, Reply: reply})
	})
}

// requestsClient is the RequestService client.
type requestsClient = adminv1connect.RequestServiceClient

// requestReply is the response of a call that changes a request.
type requestReply interface {
	proto.Message
	GetRequest() *adminv1.Request
}

// requestAction runs one call that changes a request and prints the
// outcome: the API's response as JSON, or a sentence with the stage the
// request is now in.
func requestAction[T requestReply](m *clientMeta, cmd, verb string, call func(ctx context.Context, api requestsClient) (T, error)) int {
	return show(m, cmd, func(ctx context.Context, api *client.Client) (T, error) {
		return call(ctx, api.Requests)
	}, func(w io.Writer, res T) error {
		r := res.GetRequest()
		fmt.Fprintf(w, "%s request %s: now in %s.\n", verb, r.GetId(), stageCell(r))
		return nil
	})
}

func readAll(r io.Reader) ([]byte, error) { return io.ReadAll(io.LimitReader(r, 1<<20)) }
