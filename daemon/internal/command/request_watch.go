package command

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/client"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// RequestWatchCommand follows a request.
type RequestWatchCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *RequestWatchCommand) Synopsis() string { return "Follow a request as it changes" }

// Help is the full help.
func (c *RequestWatchCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request watch [options] ID

  Prints the request's stage, then a line for every change as it happens,
  until Ctrl-C or, with -until-closed, until the request closes. With
  -format json, each change is one JSON object per line. Needs a viewer
  token.

      $ dsrhost request watch 01JA2B3C4D5E6F7G8H9JKMNPQR
      $ dsrhost request watch -until-closed -format json 01JA2B3C4D5E6F7G8H9JKMNPQR

Watch options:

  -until-closed   Stop once the request is Closed.
` + clientHelp)
}

// Run watches.
func (c *RequestWatchCommand) Run(args []string) int {
	const cmd = "request watch"
	fs := c.flagSet(cmd, c.Help)
	untilClosed := fs.Bool("until-closed", false, "")
	id, ok := c.parseID(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	return c.withAPI(cmd, func(ctx context.Context, api *client.Client) int {
		stream, err := api.Requests.WatchRequest(ctx, connect.NewRequest(&adminv1.WatchRequestRequest{Id: id}))
		if err != nil {
			return c.fail(cmd, err)
		}
		defer stream.Close()
		for stream.Receive() {
			m := stream.Msg()
			if code := c.printChange(m); code != exitOK {
				return code
			}
			if *untilClosed && m.GetRequest().GetStage() == adminv1.Stage_STAGE_CLOSED {
				return exitOK
			}
		}
		err = stream.Err()
		if err == nil || errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return exitOK
		}
		return c.fail(cmd, err)
	})
}

// printChange writes one change: a JSON object on one line, or a line for people.
func (c *RequestWatchCommand) printChange(m *adminv1.WatchRequestResponse) int {
	r := m.GetRequest()
	if c.json() {
		b, err := protojson.Marshal(m)
		if err != nil {
			return c.output(err)
		}
		fmt.Fprintf(c.stdout(), "%s\n", b)
	} else if ev := m.GetEvent(); ev == nil {
		fmt.Fprintf(c.stdout(), "Request %s is in %s.\n", r.GetId(), stageCell(r))
	} else {
		what := ev.GetMessage()
		if ev.GetIntegration() != "" {
			what = ev.GetIntegration() + ": " + what
		}
		fmt.Fprintf(c.stdout(), "%s  %-26s %s (by %s); request in %s\n", when(ev.GetTime()), ev.GetKind(), what, ev.GetActor(), stageCell(r))
	}
	return exitOK
}
