package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestReconcileRecoversLostWorkInEveryBatch: the reconciler reads
// requests in batches; lost jobs are enqueued again in every batch, the
// last and partial one included.
func TestReconcileRecoversLostWorkInEveryBatch(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()
	h := newHarness(t, rs.Client, Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}},
		map[string]sdk.Remote{"crm": &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }}}, 1)
	n := 2*reconcileBatchSize + 7
	ids := make([]string, n)
	for i := range ids {
		ids[i] = h.create(sdk.RequestAccess, fmt.Sprintf("subject-%d@example.com", i))
		h.approve(ids[i])
	}
	if dropped, err := h.dropPending(); err != nil || dropped != n {
		t.Fatalf("dropped %d tasks, want %d: %v", dropped, n, err)
	}
	h.start()
	if err := h.e().Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		h.waitStage(id, state.StageReply)
	}
}
