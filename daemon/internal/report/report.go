package report

import (
	"slices"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// Types are the request types in the order a report lists them.
var Types = []sdk.RequestType{
	sdk.RequestAccess, sdk.RequestDeletion, sdk.RequestDoNotSell, sdk.RequestRightToEdit, sdk.RequestDoNotMail,
}

// Kind is the §7102 name of a request type.
func Kind(t sdk.RequestType) string {
	switch t {
	case sdk.RequestAccess:
		return "Requests to know"
	case sdk.RequestDeletion:
		return "Requests to delete"
	case sdk.RequestDoNotSell:
		return "Requests to opt-out of sale/sharing"
	case sdk.RequestRightToEdit:
		return "Requests to correct"
	case sdk.RequestDoNotMail:
		return "Requests not to mail (not a §7102 kind)"
	}
	return string(t)
}

// Row is one request type's metrics.
type Row struct {
	Type      sdk.RequestType
	Received  int
	Whole     int
	Part      int
	Denied    int
	Open      int
	Responded int
	// MedianDays and MeanDays are meaningful only when Responded > 0.
	MedianDays float64
	MeanDays   float64
}

// Summarize turns report entries into one row per type of Types, every
// type present even when it had no request.
func Summarize(entries []store.ReportEntry) []Row {
	days := map[sdk.RequestType][]int{}
	rows := make([]Row, len(Types))
	at := map[sdk.RequestType]*Row{}
	for i, t := range Types {
		rows[i].Type = t
		at[t] = &rows[i]
	}
	for _, e := range entries {
		r := at[e.Type]
		if r == nil {
			continue
		}
		r.Received++
		switch e.Compliance {
		case store.ComplianceWhole:
			r.Whole++
		case store.CompliancePart:
			r.Part++
		case store.ComplianceDenied:
			r.Denied++
		default:
			r.Open++
			continue
		}
		days[e.Type] = append(days[e.Type], Days(e.CreatedAt, e.ClosedAt))
	}
	for i := range rows {
		d := days[rows[i].Type]
		rows[i].Responded = len(d)
		rows[i].MedianDays, rows[i].MeanDays = median(d), mean(d)
	}
	return rows
}

// Days is how many calendar days (UTC) passed from created to closed.
func Days(created, closed time.Time) int {
	day := func(t time.Time) time.Time {
		y, m, d := t.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return int(day(closed).Sub(day(created)).Hours() / 24)
}

func median(d []int) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

func mean(d []int) float64 {
	if len(d) == 0 {
		return 0
	}
	sum := 0
	for _, v := range d {
		sum += v
	}
	return float64(sum) / float64(len(d))
}
