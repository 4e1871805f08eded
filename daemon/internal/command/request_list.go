package command

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/client"
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
	if !c.parseNone(fs, args, cmd) {
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

	return show(&c.clientMeta, cmd, func(ctx context.Context, api *client.Client) (*adminv1.ListRequestsResponse, error) {
		return listRequests(ctx, api, req, *all)
	}, c.writeRequests)
}

// listRequests reads one page from req.PageToken on, or with all every
// page after it, as one response.
func listRequests(ctx context.Context, api *client.Client, req *adminv1.ListRequestsRequest, all bool) (*adminv1.ListRequestsResponse, error) {
	out := &adminv1.ListRequestsResponse{}
	for {
		res, err := unary(ctx, api.Requests.ListRequests, req)
		if err != nil {
			return nil, err
		}
		out.Requests = append(out.Requests, res.GetRequests()...)
		out.NextPageToken = res.GetNextPageToken()
		if !all || out.NextPageToken == "" {
			return out, nil
		}
		req.PageToken = out.NextPageToken
	}
}

// writeRequests prints a page of requests for people, and on standard
// error how to get the next one.
func (c *RequestListCommand) writeRequests(w io.Writer, out *adminv1.ListRequestsResponse) error {
	if len(out.Requests) == 0 {
		fmt.Fprintln(w, "No requests match.")
	} else {
		t := newTable(w, "ID", "TYPE", "STAGE", "DUE", "CREATED")
		for _, r := range out.Requests {
			t.row(r.GetId(), requestTypeWords[r.GetType()], stageCell(r), dueCell(r), when(r.GetCreatedAt()))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	if out.NextPageToken != "" {
		fmt.Fprintf(c.stderr(), "\nMore requests follow: add -page-token=%s for the next page, or -all.\n", out.NextPageToken)
	}
	return nil
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
