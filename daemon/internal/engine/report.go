package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/report"
)

// Report returns the request metrics (package report) of the requests
// received in [from, to), one row per request type, read from the
// store's report index, not from the requests (but for the rare entry a
// Cluster crash left open, see store.Report).
func (e *Engine) Report(ctx context.Context, from, to time.Time) ([]report.Row, error) {
	if err := report.CheckRange(from, to); err != nil {
		return nil, fmt.Errorf("report: %w: %w", err, ErrInvalidArgument)
	}
	entries, err := e.store.Report(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return report.Summarize(entries), nil
}

// prepareReport gives requests written before the report index existed
// their entries once the engine starts, so that the first report after an
// upgrade does not pay for it; a report that comes first does it itself.
func (e *Engine) prepareReport(stop <-chan struct{}) {
	defer e.stopped.Done()
	ctx, cancel := untilStopped(stop)
	defer cancel()
	if err := e.store.PrepareReport(ctx); err != nil && ctx.Err() == nil {
		e.log.Warn("could not index older requests for the request report; the first report will", "error", err)
	}
}
