package command

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/client"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// keyValues is a repeatable -flag key=value.
type keyValues map[string]string

func (kv keyValues) String() string { return "" }

func (kv keyValues) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	kv[k] = v
	return nil
}

// stringList is a repeatable -flag value.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// RequestCreateCommand files a request.
type RequestCreateCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *RequestCreateCommand) Synopsis() string { return "File a new privacy request" }

// Help is the full help.
func (c *RequestCreateCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request create -type TYPE -email EMAIL [options]

  Files a privacy request. It starts in Review (or Process, where the
  request type's auto_approve is set). Needs an operator token.

      $ dsrhost request create -type deletion -email ada@example.com
      $ dsrhost request create -type access -email ada@example.com \
          -identifier shopify_customer_id=123 -source privacy_center

Request options:

  -type=<type>            Required: access, deletion, do_not_sell,
                          do_not_mail or right_to_edit.

  -email=<address>        Required: the subject's email address.

  -phone=<number>         The subject's phone number.

  -user-id=<id>           The subject's user id.

  -identifier=<k=v>       A further identifier; repeat for more.

  -details=<text>         What the subject reported.

  -source=<source>        Where the request came from (default "manual").

  -source-detail=<text>   Free text about the source.
` + clientHelp)
}

// Run files the request.
func (c *RequestCreateCommand) Run(args []string) int {
	const cmd = "request create"
	fs := c.flagSet(cmd, c.Help)
	typ := fs.String("type", "", "")
	email := fs.String("email", "", "")
	phone := fs.String("phone", "", "")
	userID := fs.String("user-id", "", "")
	ids := keyValues{}
	fs.Var(ids, "identifier", "")
	details := fs.String("details", "", "")
	source := fs.String("source", "", "")
	sourceDetail := fs.String("source-detail", "", "")
	if !c.parseNone(fs, args, cmd) {
		return exitUsage
	}
	if *typ == "" || *email == "" {
		c.usageError(cmd, "-type and -email are required, e.g. `dsrhost request create -type deletion -email ada@example.com`")
		return exitUsage
	}
	rt, err := parseWord("type", *typ, requestTypeWords)
	if err != nil {
		c.usageError(cmd, err.Error())
		return exitUsage
	}
	req := &adminv1.CreateRequestRequest{
		Type:         rt,
		Subject:      &adminv1.Subject{Email: *email, Phone: *phone, UserId: *userID, Identifiers: ids},
		Details:      *details,
		Source:       *source,
		SourceDetail: *sourceDetail,
	}
	return show(&c.clientMeta, cmd, func(ctx context.Context, api *client.Client) (*adminv1.CreateRequestResponse, error) {
		return unary(ctx, api.Requests.CreateRequest, req)
	}, writeCreated)
}

// writeCreated says what was filed and, for a request in Review, what to
// do next.
func writeCreated(w io.Writer, res *adminv1.CreateRequestResponse) error {
	r := res.GetRequest()
	fmt.Fprintf(w, "Created %s request %s, now in %s, due %s.\n", requestTypeWords[r.GetType()], r.GetId(), stageCell(r), day(r.GetDueAt()))
	if r.GetStage() == adminv1.Stage_STAGE_REVIEW {
		fmt.Fprintf(w, "\nReview it with `dsrhost request get %s`, then approve it with\n`dsrhost request approve %s` or reject it with `dsrhost request reject %s`.\n", r.GetId(), r.GetId(), r.GetId())
	}
	return nil
}

var _ flag.Value = keyValues{}
