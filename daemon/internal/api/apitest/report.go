package apitest

import (
	"context"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/report"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
)

// Report implements api.Reporter: one received, open request of each type.
func (f *FakeEngine) Report(context.Context, time.Time, time.Time) ([]report.Row, error) {
	f.record("Report", "")
	var entries []store.ReportEntry
	for _, t := range report.Types {
		entries = append(entries, store.ReportEntry{Type: t, Compliance: store.ComplianceOpen, CreatedAt: SampleTime})
	}
	return report.Summarize(entries), nil
}
