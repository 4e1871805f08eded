package reporttest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEngineReport: the engine's report of Seed's requests is exactly
// Want, and still is after redis-server is killed and the daemon restarts
// right after the last close.
func TestEngineReport(t *testing.T) {
	w := Start(t)
	w.Seed(t)
	rows, err := w.Engine.Report(context.Background(), From, To)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Want(), rows); diff != "" {
		t.Fatalf("report (-want +got):\n%s", diff)
	}
	w.Restart(t)
	rows, err = w.Engine.Report(context.Background(), From, To)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Want(), rows); diff != "" {
		t.Fatalf("report after a restart (-want +got):\n%s", diff)
	}
}
