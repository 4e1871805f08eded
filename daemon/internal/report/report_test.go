package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

func entry(t sdk.RequestType, c store.Compliance, created string, days int) store.ReportEntry {
	at, err := time.Parse(time.RFC3339, created)
	if err != nil {
		panic(err)
	}
	e := store.ReportEntry{Type: t, Compliance: c, CreatedAt: at}
	if c != store.ComplianceOpen {
		e.ClosedAt = at.Add(time.Duration(days) * 24 * time.Hour)
	}
	return e
}

// TestSummarize: counts per outcome and the median of an odd and an even
// number of closed requests, denied ones included; open ones in no median.
func TestSummarize(t *testing.T) {
	const c = "2026-03-01T10:00:00Z"
	entries := []store.ReportEntry{
		// deletion: closed after 3, 5, 8 days (odd: median 5), one open.
		entry(sdk.RequestDeletion, store.ComplianceWhole, c, 3),
		entry(sdk.RequestDeletion, store.CompliancePart, c, 8),
		entry(sdk.RequestDeletion, store.ComplianceDenied, c, 5),
		entry(sdk.RequestDeletion, store.ComplianceOpen, c, 0),
		// access: 2, 4, 7, 10 days (even: median 5.5, mean 5.75).
		entry(sdk.RequestAccess, store.ComplianceWhole, c, 10),
		entry(sdk.RequestAccess, store.ComplianceWhole, c, 2),
		entry(sdk.RequestAccess, store.CompliancePart, c, 7),
		entry(sdk.RequestAccess, store.ComplianceWhole, c, 4),
	}
	want := []Row{
		{Type: sdk.RequestAccess, Received: 4, Whole: 3, Part: 1, Responded: 4, MedianDays: 5.5, MeanDays: 5.75},
		{Type: sdk.RequestDeletion, Received: 4, Whole: 1, Part: 1, Denied: 1, Open: 1, Responded: 3, MedianDays: 5, MeanDays: 16.0 / 3},
		{Type: sdk.RequestDoNotSell},
		{Type: sdk.RequestRightToEdit},
		{Type: sdk.RequestDoNotMail},
	}
	rows := Summarize(entries)
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	wantCSV := strings.Join([]string{
		strings.Join(CSVHeader, ","),
		"access,Requests to know,4,3,1,0,0,4,5.5,5.8",
		"deletion,Requests to delete,4,1,1,1,1,3,5,5.3",
		"do_not_sell,Requests to opt-out of sale/sharing,0,0,0,0,0,0,,",
		"right_to_edit,Requests to correct,0,0,0,0,0,0,,",
		"do_not_mail,Requests not to mail (not a §7102 kind),0,0,0,0,0,0,,",
	}, "\n") + "\n"
	if diff := cmp.Diff(wantCSV, buf.String()); diff != "" {
		t.Fatalf("csv (-want +got):\n%s", diff)
	}
}

// TestDays counts calendar days in UTC, not 24-hour periods.
func TestDays(t *testing.T) {
	for _, tc := range []struct {
		created, closed string
		want            int
	}{
		{"2026-01-01T23:59:00Z", "2026-01-02T00:01:00Z", 1},
		{"2026-01-01T00:01:00Z", "2026-01-01T23:59:00Z", 0},
		{"2026-02-27T12:00:00Z", "2026-03-02T01:00:00Z", 3},
		{"2026-01-02T02:00:00+05:00", "2026-01-02T01:00:00Z", 1},
	} {
		a, _ := time.Parse(time.RFC3339, tc.created)
		b, _ := time.Parse(time.RFC3339, tc.closed)
		if got := Days(a, b); got != tc.want {
			t.Errorf("Days(%s, %s) = %d, want %d", tc.created, tc.closed, got, tc.want)
		}
	}
}

// TestParseDates: inclusive days become [from, to); mistakes name the field.
func TestParseDates(t *testing.T) {
	from, to, err := ParseDates("2028-01-01", "2028-12-31")
	if err != nil || !from.Equal(time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("leap year: %s %s %v", from, to, err)
	}
	for _, tc := range []struct{ from, to, want string }{
		{"2026-13-01", "2026-12-31", "from: "},
		{"2026-01-01", "31/12/2026", "to: "},
		{"2026-02-01", "2026-01-31", "to: must not be before from"},
		{"2025-01-01", "2026-01-02", "to: a report covers at most 366 days"},
	} {
		_, _, err := ParseDates(tc.from, tc.to)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("ParseDates(%q, %q) = %v, want %q…", tc.from, tc.to, err, tc.want)
		}
	}
	if f, l := LastYear(time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)); f != "2025-01-01" || l != "2025-12-31" {
		t.Fatalf("LastYear = %s..%s", f, l)
	}
}
