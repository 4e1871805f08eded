package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/flow"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestFlowScriptRidesWithLoad: under a rate limit, a run job's flow
// control script goes to Redis in the pipeline that reads the request,
// never in a round trip of its own.
func TestFlowScriptRidesWithLoad(t *testing.T) {
	rdb := testredis.Start(t).Client
	trips := &testredis.Trips{}
	rdb.AddHook(trips)
	crm := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }}
	cfg := autoAccess(spec("crm", sdk.SynchronousAPI, accessOnly, func(s *IntegrationSpec) {
		s.Flow.RateRequests, s.Flow.RatePer = 1_000_000, 1e9
	}))
	limiter := flow.New(rdb, "fr")
	h := newHarness(t, rdb, cfg, map[string]sdk.Remote{"crm": crm}, 1, func(o *Options) { o.Flow = limiter })
	// Redis learns the script first: a pipelined script it has never seen
	// is refused (NOSCRIPT) and run again on its own, once.
	if _, err := limiter.Acquire(context.Background(), flow.Key{Name: "warm", Tag: "warm"}, flow.Limits{Requests: 1, Per: 1e9}, "warm"); err != nil {
		t.Fatal(err)
	}
	trips.Reset()
	h.start()
	ids := h.createAccess(5)
	h.waitLabels(ids, "crm", "Complete 1 records found")

	isFlow := func(c string) bool {
		return strings.HasPrefix(c, "evalsha fr:flow:") || strings.HasPrefix(c, "eval fr:flow:")
	}
	withLoad := 0
	for _, trip := range trips.All() {
		hasFlow := slices.ContainsFunc(trip, isFlow)
		switch {
		case hasFlow && slices.Contains(trip, "hgetall"):
			withLoad++
		case hasFlow:
			t.Errorf("flow control script in a round trip of its own: %v", trip)
		}
	}
	if withLoad < len(ids) {
		t.Fatalf("%d reads carried a flow control script, want one per job (%d)", withLoad, len(ids))
	}
}
