package command

import (
	"fmt"
	"strings"
	"time"

	"connectrpc.com/connect"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/sdk"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// RequestListCommand lists requests.
type RequestListCommand struct {
	clientMeta
	// Now is the clock for -due-before durations (default time.Now).
	Now func() time.Time
}

// Synopsis is the one-line help.
func (c *RequestListCommand) Synopsis() string { return "List requests, newest first" }

// Help is the full help.
func (c *RequestListCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request list [options]

  Lists requests, newest first, one page at a time (-all for every page).
  Filters combine. Needs a viewer token.

      $ dsrhost request list -stage review
      $ dsrhost request list -status error -integration heap
      $ dsrhost request list -due-before 7d -format json
      $ dsrhost request list -email ada@example.com

Filter options:

  -stage=<stage>          review, process, reply or closed.

  -type=<type>            access, deletion, do_not_sell, do_not_mail or
                          right_to_edit.

  -status=<status>        Requests with an integration in this status:
                          not_started, pending, processing, error or
                          complete.

  -integration=<name>     Narrows -status to one integration.

  -email=<address>        Requests of the subject with this email.

  -due-before=<when>      Requests due before a date (2025-07-01), a time
                          (RFC 3339) or a duration from now (7d, 36h).

Paging options:

  -limit=50               Requests per page, at most 1000.

  -page-token=<token>     The page after the one that printed this token.

  -all                    Every page.
` + clientHelp)
}

// Run lists.
func (c *RequestListCommand) Run(args []string) int {
	const cmd = "request list"
	fs := c.flagSet(cmd, c.Help)
	stage := fs.String("stage", "", "")
	typ := fs.String("type", "", "")
	status := fs.String("status", "", "")
	integration := fs.String("integration", "", "")
	email := fs.String("email", "", "")
	dueBefore := fs.String("due-before", "", "")
	limit := fs.Int("limit", 50, "")
	pageToken := fs.String("page-token", "", "")
	all := fs.Bool("all", false, "")
	pos, ok := c.parse(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	if len(pos) != 0 {
		c.usageError(cmd, fmt.Sprintf("takes no arguments, got %q", pos))
		return exitUsage
	}
	req := &adminv1.ListRequestsRequest{Integration: *integration, Email: *email, PageToken: *pageToken}
	var err error
	if *stage != "" {
		if req.Stage, err = parseWord("stage", *stage, stageWords); err != nil {
			c.usageError(cmd, err.Error())
			return exitUsage
		}
	}
	if *typ != "" {
		if req.Type, err = parseWord("type", *typ, requestTypeWords); err != nil {
			c.usageError(cmd, err.Error())
			return exitUsage
		}
	}
	if *status != "" {
		if req.IntegrationStatus, err = parseWord("status", *status, statusWords); err != nil {
			c.usageError(cmd, err.Error())
			return exitUsage
		}
	}
	if *dueBefore != "" {
		t, err := c.parseWhen(*dueBefore)
		if err != nil {
			c.usageError(cmd, err.Error())
			return exitUsage
		}
		req.DueBefore = timestamppb.New(t)
	}
	if *limit < 1 || *limit > 1000 {
		c.usageError(cmd, fmt.Sprintf("-limit must be between 1 and 1000, not %d", *limit))
		return exitUsage
	}
	req.PageSize = int32(*limit)

	api, err := c.client()
	if err != nil {
		return c.fail(cmd, err)
	}
	defer api.CloseIdleConnections()
	ctx, stop := c.context()
	defer stop()
	out := &adminv1.ListRequestsResponse{}
	for {
		res, err := api.Requests.ListRequests(ctx, connect.NewRequest(req))
		if err != nil {
			return c.fail(cmd, err)
		}
		out.Requests = append(out.Requests, res.Msg.GetRequests()...)
		out.NextPageToken = res.Msg.GetNextPageToken()
		if !*all || out.NextPageToken == "" {
			break
		}
		req.PageToken = out.NextPageToken
	}
	if c.json() {
		return c.output(printJSON(c.stdout(), out))
	}
	if len(out.Requests) == 0 {
		fmt.Fprintln(c.stdout(), "No requests match.")
	} else {
		t := newTable(c.stdout(), "ID", "TYPE", "STAGE", "DUE", "CREATED")
		for _, r := range out.Requests {
			t.row(r.GetId(), requestTypeWords[r.GetType()], stageCell(r), dueCell(r), when(r.GetCreatedAt()))
		}
		if err := t.flush(); err != nil {
			return c.output(err)
		}
	}
	if out.NextPageToken != "" {
		fmt.Fprintf(c.stderr(), "\nMore requests follow: add -page-token=%s for the next page, or -all.\n", out.NextPageToken)
	}
	return exitOK
}

// parseWhen reads a date, an RFC 3339 time or a duration from now.
func (c *RequestListCommand) parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if d, err := sdk.ParseDuration(s); err == nil {
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		return now().Add(d), nil
	}
	return time.Time{}, fmt.Errorf("-due-before must be a date (2025-07-01), an RFC 3339 time or a duration such as 7d, not %q", s)
}
