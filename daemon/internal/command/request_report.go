package command

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/client"
	"github.com/dsrhost/dsrhost/daemon/internal/report"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// RequestReportCommand prints the §7102 request metrics.
type RequestReportCommand struct {
	clientMeta
	// Now is the clock for the default range, last calendar year (default
	// time.Now).
	Now func() time.Time
}

// Synopsis is the one-line help.
func (c *RequestReportCommand) Synopsis() string {
	return "Request metrics per type (CCPA §7102) for a date range"
}

// Help is the full help.
func (c *RequestReportCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost request report [options]

  Prints, per request type, how many requests were received in a date
  range, complied with in whole or in part, denied or are still open, and
  the median and mean calendar days to respond: the metrics CCPA
  regulations §7102 ask a business to publish. Requests count by the day
  they were received (UTC). Needs a viewer token.

      $ dsrhost request report -from 2026-01-01 -to 2026-12-31
      $ dsrhost request report -format csv > metrics-2025.csv

Options:

  -from=<date>   The first day counted (default: January 1 of last year).

  -to=<date>     The last day counted, included (default: December 31 of
                 last year). At most 366 days after -from.

  -format=csv    Besides "table" and "json": CSV with a header line, counts
                 only (no subject, no request id).
` + clientHelp)
}

// Run prints the report.
func (c *RequestReportCommand) Run(args []string) int {
	const cmd = "request report"
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	defFrom, defTo := report.LastYear(now())
	fs := c.flagSet(cmd, c.Help)
	fromDay := fs.String("from", defFrom, "")
	toDay := fs.String("to", defTo, "")
	// -format csv is this command's own: take it before the shared check,
	// which knows table and json only.
	if err := fs.Parse(args); err != nil {
		c.usageError(cmd, err.Error())
		return exitUsage
	}
	asCSV := c.format == "csv"
	if asCSV {
		c.format = "table"
	}
	if !c.parseNone(fs, fs.Args(), cmd) {
		return exitUsage
	}
	from, to, err := report.ParseDates(*fromDay, *toDay)
	if err != nil {
		c.usageError(cmd, "-"+err.Error())
		return exitUsage
	}
	req := &adminv1.GetRequestReportRequest{From: timestamppb.New(from), To: timestamppb.New(to)}
	human := writeReportTable
	if asCSV {
		human = func(w io.Writer, res *adminv1.GetRequestReportResponse) error {
			return report.WriteCSV(w, api.ReportRowsFromProto(res.GetRows()))
		}
	}
	return show(&c.clientMeta, cmd, func(ctx context.Context, cl *client.Client) (*adminv1.GetRequestReportResponse, error) {
		return unary(ctx, cl.Requests.GetRequestReport, req)
	}, human)
}

// writeReportTable prints one line per request type for people.
func writeReportTable(w io.Writer, res *adminv1.GetRequestReportResponse) error {
	t := newTable(w, "TYPE", "RECEIVED", "WHOLE", "PART", "DENIED", "OPEN", "MEDIAN DAYS", "MEAN DAYS")
	for _, r := range api.ReportRowsFromProto(res.GetRows()) {
		cells := report.Cells(r)
		t.row(append([]string{string(r.Type)}, append(cells[:5:5], cells[6], cells[7])...)...)
	}
	if err := t.flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nWHOLE and PART: complied with in whole or in part; days are calendar days (UTC) from receipt to close.")
	return err
}
