package command

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/daemon/internal/report"
	"github.com/dsrhost/dsrhost/daemon/internal/report/reporttest"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// ulidPattern matches a request id.
var ulidPattern = regexp.MustCompile(`[0-7][0-9A-HJKMNP-TV-Z]{25}`)

// TestRequestReport: over a real engine with requests of known outcomes,
// the admin API (called with a viewer token) and the CLI's table, JSON
// and CSV give exactly the expected numbers; the CSV holds no subject and
// no request id; bad ranges are refused naming what to fix.
func TestRequestReport(t *testing.T) {
	w := reporttest.Start(t)
	w.Seed(t)
	srv := apitest.Start(t, api.Options{Engine: w.Engine})
	t.Setenv("DSRHOST_ADDR", srv.URL)
	t.Setenv("DSRHOST_TOKEN", apitest.ViewerToken)
	t.Setenv("DSRHOST_CACERT", "")
	want := reporttest.Want()

	cl := adminv1connect.NewRequestServiceClient(http.DefaultClient, srv.URL)
	call := func(m *adminv1.GetRequestReportRequest) (*adminv1.GetRequestReportResponse, error) {
		req := connect.NewRequest(m)
		req.Header().Set("Authorization", "Bearer "+apitest.ViewerToken)
		res, err := cl.GetRequestReport(context.Background(), req)
		if err != nil {
			return nil, err
		}
		return res.Msg, nil
	}
	t.Run("api", func(t *testing.T) {
		res, err := call(&adminv1.GetRequestReportRequest{From: timestamppb.New(reporttest.From), To: timestamppb.New(reporttest.To)})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, api.ReportRowsFromProto(res.GetRows())); diff != "" {
			t.Fatalf("API rows (-want +got):\n%s", diff)
		}
		if res.GetRows()[1].MedianDays != nil {
			t.Error("a type with no closed request has a median")
		}
	})
	t.Run("api refuses bad ranges", func(t *testing.T) {
		from, to := timestamppb.New(reporttest.From), timestamppb.New(reporttest.To)
		for _, tc := range []struct {
			name string
			msg  *adminv1.GetRequestReportRequest
			want string
		}{
			{"no from", &adminv1.GetRequestReportRequest{To: to}, "from"},
			{"no to", &adminv1.GetRequestReportRequest{From: from}, "to"},
			{"reversed", &adminv1.GetRequestReportRequest{From: to, To: from}, "to must be after from"},
			{"too long", &adminv1.GetRequestReportRequest{From: from, To: timestamppb.New(reporttest.To.AddDate(0, 0, 2))}, "to must be at most 366 days after from"},
		} {
			_, err := call(tc.msg)
			if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want invalid_argument naming %q", tc.name, err, tc.want)
			}
		}
	})
	t.Run("cli json", func(t *testing.T) {
		out := runCLI(t, "request", "report", "-from", "2025-01-01", "-to", "2025-12-31", "-format", "json")
		if out.code != 0 {
			t.Fatalf("exit %d: %s", out.code, out.stderr)
		}
		var res adminv1.GetRequestReportResponse
		if err := protojson.Unmarshal([]byte(out.stdout), &res); err != nil {
			t.Fatalf("%v in %s", err, out.stdout)
		}
		if diff := cmp.Diff(want, api.ReportRowsFromProto(res.GetRows())); diff != "" {
			t.Fatalf("CLI JSON rows (-want +got):\n%s", diff)
		}
	})
	t.Run("cli csv", func(t *testing.T) {
		out := runCLI(t, "request", "report", "-from", "2025-01-01", "-to", "2025-12-31", "-format", "csv")
		if out.code != 0 {
			t.Fatalf("exit %d: %s", out.code, out.stderr)
		}
		var wantCSV bytes.Buffer
		if err := report.WriteCSV(&wantCSV, want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantCSV.String(), out.stdout); diff != "" {
			t.Fatalf("CLI CSV (-want +got):\n%s", diff)
		}
		if !strings.Contains(out.stdout, "access,Requests to know,4,1,1,1,1,3,3,3\n") ||
			!strings.Contains(out.stdout, "do_not_sell,Requests to opt-out of sale/sharing,3,2,0,0,1,2,3.5,3.5\n") {
			t.Fatalf("CSV lacks the expected numbers:\n%s", out.stdout)
		}
		for _, e := range reporttest.Emails {
			if strings.Contains(out.stdout, e) {
				t.Fatalf("CSV holds %s", e)
			}
		}
		if ulidPattern.MatchString(out.stdout) {
			t.Fatalf("CSV holds a request id:\n%s", out.stdout)
		}
	})
	t.Run("cli table", func(t *testing.T) {
		out := runCLI(t, "request", "report", "-from", "2025-01-01", "-to", "2025-12-31")
		if out.code != 0 {
			t.Fatalf("exit %d: %s", out.code, out.stderr)
		}
		lines := map[string]string{}
		for _, l := range strings.Split(out.stdout, "\n") {
			if f := strings.Fields(l); len(f) > 0 {
				lines[f[0]] = strings.Join(f, " ")
			}
		}
		for typ, line := range map[string]string{
			"access":      "access 4 1 1 1 1 3 3",
			"do_not_sell": "do_not_sell 3 2 0 0 1 3.5 3.5",
			"deletion":    "deletion 0 0 0 0 0 - -",
		} {
			if lines[typ] != line {
				t.Errorf("table line %q, want %q\n%s", lines[typ], line, out.stdout)
			}
		}
	})
	t.Run("cli refuses bad dates", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"-from", "2025-13-01", "-to", "2025-12-31"}, "-from: \"2025-13-01\" is not a date"},
			{[]string{"-from", "2025-06-01", "-to", "2025-01-01"}, "-to: must not be before from"},
			{[]string{"-from", "2024-01-01", "-to", "2025-12-31"}, "-to: a report covers at most 366 days"},
			{[]string{"-format", "xml"}, `-format must be "table" or "json"`},
		} {
			out := runCLI(t, append([]string{"request", "report"}, tc.args...)...)
			if out.code != 2 || !strings.Contains(out.stderr, tc.want) {
				t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, out.code, out.stderr, tc.want)
			}
		}
	})
}
