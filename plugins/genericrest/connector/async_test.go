package connector

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/examples/genericrest/demoapi"
	"github.com/dsrhost/dsrhost/sdk"
)

const exportsExample = "../../../examples/genericrest/async-export.hcl"

// startExports serves an asynchronous export API whose jobs finish on the
// third status poll, holding five events for ada (three pages of two), and
// configures the async-export.hcl example against it.
func startExports(t *testing.T) (*Connector, *demoapi.Exports) {
	t.Helper()
	api := demoapi.NewExports(testEnv["DEMO_EXPORTS_API_KEY"], 3, 2)
	for i := range 5 {
		api.AddRecord("ada@example.com", map[string]any{"id": "evt_" + string(rune('a'+i)), "type": "page_view"})
	}
	srv := startServer(t, api)
	settings := exampleSettings(t, exportsExample)
	rebase(t, settings, srv)
	c, _ := newTestConnector()
	configure(t, c, "demo-exports", settings)
	return c, api
}

func TestAsyncExport(t *testing.T) {
	c, api := startExports(t)
	ctx := context.Background()
	j := job("demo-exports", "export-1", "ada@example.com")

	first, err := c.Access(ctx, &sdk.AccessRequest{Job: j})
	if err != nil {
		t.Fatal(err)
	}
	if first.Pending == nil || first.Pending.Handle == "" || len(first.Records) != 0 {
		t.Fatalf("Access = %+v, want Pending", first)
	}
	if first.Pending.PollAfter != time.Hour {
		t.Errorf("PollAfter = %v, want the configured 1h", first.Pending.PollAfter)
	}
	// The same job delivered again does not submit a second export.
	again, err := c.Access(ctx, &sdk.AccessRequest{Job: j})
	if err != nil {
		t.Fatal(err)
	}
	if again.Pending == nil || again.Pending.Handle != first.Pending.Handle {
		t.Errorf("second delivery = %+v, want the same handle", again)
	}
	if n := api.Submissions("export"); n != 1 {
		t.Fatalf("exports submitted = %d, want 1", n)
	}

	var resp *sdk.AccessResponse
	polls := 0
	for resp = first; resp.Pending != nil; polls++ {
		if polls > 10 {
			t.Fatal("the export never finished")
		}
		resp, err = c.PollAccess(ctx, &sdk.PollRequest{Job: j, Handle: resp.Pending.Handle})
		if err != nil {
			t.Fatal(err)
		}
	}
	if polls != 3 {
		t.Errorf("polls = %d, want 3 (the job finishes on its third status poll)", polls)
	}
	var got []string
	for _, r := range resp.Records {
		var data map[string]any
		if err := json.Unmarshal(r.Data, &data); err != nil {
			t.Fatal(err)
		}
		if r.Kind != "event" || data["type"] != "page_view" {
			t.Errorf("record %+v", r)
		}
		got = append(got, r.ID)
	}
	if len(got) != 5 || got[0] != "evt_a" || got[4] != "evt_e" {
		t.Errorf("records = %v, want the five events over three Link-header pages", got)
	}
}

func TestAsyncExportFailed(t *testing.T) {
	c, api := startExports(t)
	api.FailExports()
	ctx := context.Background()
	j := job("demo-exports", "export-1", "ada@example.com")
	resp, err := c.Access(ctx, &sdk.AccessRequest{Job: j})
	for i := 0; err == nil && resp.Pending != nil && i < 10; i++ {
		resp, err = c.PollAccess(ctx, &sdk.PollRequest{Job: j, Handle: resp.Pending.Handle})
	}
	// A failed state is final: polling again would read it until max_wait.
	e := asError(t, err)
	if e.Type != sdk.ErrorInternal || e.Retryable {
		t.Errorf("error = %+v, want a non-retryable internal error", e)
	}
	assertNoPersonalData(t, e, "ada@example.com")
}

func TestAsyncDeletion(t *testing.T) {
	c, api := startExports(t)
	ctx := context.Background()
	j := job("demo-exports", "delete-1", "ada@example.com")

	first, err := c.Delete(ctx, &sdk.DeleteRequest{Job: j})
	if err != nil {
		t.Fatal(err)
	}
	if first.Pending == nil {
		t.Fatalf("Delete = %+v, want Pending", first)
	}
	if _, err := c.Delete(ctx, &sdk.DeleteRequest{Job: j}); err != nil {
		t.Fatal(err)
	}
	if n := api.Submissions("deletion"); n != 1 {
		t.Fatalf("deletions submitted = %d, want 1", n)
	}
	resp := first
	for i := 0; resp.Pending != nil; i++ {
		if i > 10 {
			t.Fatal("the deletion never finished")
		}
		if resp, err = c.PollDelete(ctx, &sdk.PollRequest{Job: j, Handle: resp.Pending.Handle}); err != nil {
			t.Fatal(err)
		}
	}
	if !resp.WholeRecord || resp.RecordsDeleted != 0 {
		t.Errorf("finished deletion = %+v, want whole record (\"Deletion done\")", resp)
	}
	if n := len(api.Records("ada@example.com")); n != 0 {
		t.Errorf("%d records left after the deletion finished", n)
	}
}

// TestIdempotentUnderConcurrency delivers the same job many times at once:
// one submission, one handle.
func TestIdempotentUnderConcurrency(t *testing.T) {
	c, api := startExports(t)
	j := job("demo-exports", "export-race", "ada@example.com")
	const n = 16
	handles := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Access(context.Background(), &sdk.AccessRequest{Job: j})
			if err != nil || resp.Pending == nil {
				t.Errorf("Access = %+v, %v", resp, err)
				return
			}
			handles[i] = resp.Pending.Handle
		}()
	}
	wg.Wait()
	if got := api.Submissions("export"); got != 1 {
		t.Errorf("exports submitted = %d, want 1", got)
	}
	for _, h := range handles[1:] {
		if h != handles[0] {
			t.Errorf("handles differ: %q and %q", handles[0], h)
		}
	}
}

func TestPollWrongHandle(t *testing.T) {
	c, _ := startExports(t)
	ctx := context.Background()
	j := job("demo-exports", "k", "ada@example.com")
	del, err := c.Delete(ctx, &sdk.DeleteRequest{Job: j})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"", "not json", del.Pending.Handle} {
		if _, err := c.PollAccess(ctx, &sdk.PollRequest{Job: j, Handle: h}); err == nil {
			t.Errorf("PollAccess accepted handle %q", h)
		}
	}
}
