package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestStartIndexesOlderRequestsForTheReport: requests stored before the
// report index existed get their entries when the engine starts, not at
// the first report (which, after an upgrade with many requests, would pay
// for all of them).
func TestStartIndexesOlderRequestsForTheReport(t *testing.T) {
	rs := testredis.Start(t)
	h := newHarness(t, rs.Client, Config{}, nil, 1)
	for i := range 3 {
		h.create(sdk.RequestAccess, fmt.Sprintf("s%d@example.com", i))
	}
	ctx := context.Background()
	index, marker := h.prefix+":idx:report", h.prefix+":idx:report:backfilled"
	// As a daemon from before the index left them.
	if err := rs.Client.Del(ctx, index, marker).Err(); err != nil {
		t.Fatal(err)
	}
	h.start()
	waitFor(t, "the report index to be filled at start", func() (bool, string) {
		n, err := rs.Client.ZCard(ctx, index).Result()
		done, _ := rs.Client.Exists(ctx, marker).Result()
		return err == nil && n == 3 && done == 1, fmt.Sprintf("%d entries, marker %d, %v", n, done, err)
	})
}
