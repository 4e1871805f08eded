package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestDirectContactReminders: while the processor has not answered, the
// engine polls the connector when it asks (that is how it sends reminders),
// passing each poll the handle of the previous answer; the processor's
// answer alone completes the integration.
func TestDirectContactReminders(t *testing.T) {
	rs := testredis.Start(t)
	var (
		mu      sync.Mutex
		handles []string
	)
	dc := &fake{
		access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
			return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "h0", PollAfter: 30 * time.Millisecond}}, nil
		},
		pollAccess: func(_ context.Context, req *sdk.PollRequest) (*sdk.AccessResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			handles = append(handles, req.Handle)
			// A finished answer from a poll must be ignored: only the
			// processor completes a Direct Contact integration.
			if len(handles) == 2 {
				return records(1), nil
			}
			return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: fmt.Sprintf("h%d", len(handles)), PollAfter: 30 * time.Millisecond}}, nil
		},
	}
	cfg := Config{
		Integrations: []IntegrationSpec{spec("acme", sdk.DirectContact, both, onNoResponse(Block))},
		RequestTypes: map[sdk.RequestType]RequestTypeSpec{sdk.RequestAccess: {Deadline: 30 * day}},
	}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"acme": dc}, 1).start()
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)

	waitFor(t, "four reminder polls", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return len(handles) >= 4, fmt.Sprint(handles)
	})
	mu.Lock()
	got := append([]string(nil), handles[:4]...)
	mu.Unlock()
	// The second poll answered "finished" and was ignored: the third is
	// on the handle that poll was given.
	if want := []string{"h0", "h1", "h1", "h3"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("polls got handles %v, want %v", got, want)
	}
	if l := h.label(id, state.Extracting, "acme"); l != "Processing Due in 14 days" {
		t.Fatalf("label while waiting = %q", l)
	}
	if _, err := h.e().Answer(context.Background(), AnswerInput{RequestID: id, Integration: "acme", Workflow: state.Extracting, Answer: AnswerNoFiles}); err != nil {
		t.Fatal(err)
	}
	h.waitLabel(id, state.Extracting, "acme", "Complete No files uploaded")
}
