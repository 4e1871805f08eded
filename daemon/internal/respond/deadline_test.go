package respond_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestDeadlines moves the engine's clock past the due date instead of
// waiting: `block` holds the request "Processing Due # days ago" while the
// link still works through the grace period and then expires; `skip`
// completes the integration "(no response)" and the link is no longer
// needed.
func TestDeadlines(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()

	for _, rt := range []sdk.RequestType{sdk.RequestAccess, sdk.RequestDeletion} {
		wf := workflow(rt)
		t.Run("block "+string(rt), func(t *testing.T) {
			e := w.env(t, envOptions{onNoResponse: "block"})
			id := e.request(rt)
			link := e.link(id)
			e.waitLabel(id, wf, "Processing Due in 14 days")

			e.clock.Advance(9 * day)
			if got := e.state(id, wf).Label; got != "Processing Due in 5 days" {
				t.Errorf("after 9 days: %q, want %q", got, "Processing Due in 5 days")
			}
			e.clock.Advance(7 * day)
			// The email may have gone out before the engine committed that
			// it awaits the processor: reconcile until it notes the request
			// overdue.
			waitFor(t, "the request to be noted overdue", func() (bool, string) {
				if err := e.engine.Reconcile(ctx); err != nil {
					t.Fatal(err)
				}
				return len(e.history(id, "integration.overdue")) > 0, e.state(id, wf).Label
			})
			if got := e.state(id, wf).Label; got != "Processing Due 2 days ago" {
				t.Errorf("after 16 days: %q, want %q", got, "Processing Due 2 days ago")
			}
			if r := e.get(id); r.Stage != state.StageProcess || r.Workflow != wf {
				t.Errorf("request in %s / %s; the blocking integration must hold it in Process", r.Stage, r.Workflow)
			}
			if len(e.history(id, "integration.overdue")) != 1 {
				t.Error("no overdue entry in the history")
			}

			// Within the grace period the processor may still answer late...
			p := getPage(t, link)
			p.want(t, http.StatusOK)
			p.has(t, "Due 2 days ago")

			// ...and after it the link has expired.
			e.clock.Advance(5 * day)
			p = getPage(t, link)
			p.want(t, http.StatusGone)
			p.has(t, "This link has expired.", "reply to the email")
			answer := "no_data"
			if rt == sdk.RequestDeletion {
				answer = "deleted"
			}
			postAnswer(t, link, answer, "").want(t, http.StatusGone)
			if got := e.state(id, wf).Label; got != "Processing Due 7 days ago" {
				t.Errorf("after 21 days: %q, want %q", got, "Processing Due 7 days ago")
			}
		})

		want := map[sdk.RequestType]string{
			sdk.RequestAccess:   "Complete Access skipped (no response)",
			sdk.RequestDeletion: "Complete Deletion skipped (no response)",
		}[rt]
		t.Run("skip "+string(rt), func(t *testing.T) {
			e := w.env(t, envOptions{onNoResponse: "skip"})
			id := e.request(rt)
			link := e.link(id)
			e.waitLabel(id, wf, "Processing Due in 14 days")
			e.clock.Advance(14*day - 1)
			if err := e.engine.Reconcile(ctx); err != nil {
				t.Fatal(err)
			}
			if got := e.state(id, wf).Label; got != "Processing Due in 1 days" {
				t.Errorf("a moment before the due date: %q", got)
			}
			e.clock.Advance(day + 1)
			waitFor(t, "the integration to be skipped", func() (bool, string) {
				if err := e.engine.Reconcile(ctx); err != nil {
					t.Fatal(err)
				}
				got := e.state(id, wf).Label
				return got == want, got
			})
			waitFor(t, "the request to reach Reply", func() (bool, string) {
				r := e.get(id)
				return r.Stage == state.StageReply, r.Stage.String()
			})
			p := getPage(t, link)
			p.want(t, http.StatusGone)
			p.has(t, "This request no longer needs your answer.")
		})
	}
}
