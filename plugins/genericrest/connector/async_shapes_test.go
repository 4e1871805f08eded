package connector

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/sdk"
)

// jobsAPI is an API whose every write is a job: DELETE /items/{id} answers
// 202 with a job id (404 for an unknown item), and POST /lookups starts a
// lookup whose status answer carries the records itself. Each job is done
// on its second status poll.
type jobsAPI struct {
	mu    sync.Mutex
	items map[string]bool
	jobs  map[string]int // job id -> polls so far
	seq   int
}

func (a *jobsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	newJob := func() string {
		a.seq++
		id := fmt.Sprintf("job-%d", a.seq)
		a.jobs[id] = 0
		return id
	}
	switch {
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/items/"):
		id := strings.TrimPrefix(r.URL.Path, "/items/")
		if !a.items[id] {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		delete(a.items, id)
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"job": {"id": %q}}`, newJob())
	case r.Method == http.MethodPost && r.URL.Path == "/lookups":
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"job": {"id": %q}}`, newJob())
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/jobs/"):
		id := strings.TrimPrefix(r.URL.Path, "/jobs/")
		polls, ok := a.jobs[id]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		a.jobs[id] = polls + 1
		if polls == 0 {
			fmt.Fprint(w, `{"state": "running"}`)
			return
		}
		fmt.Fprint(w, `{"state": "done", "found": [{"id": "x1"}, {"id": "x2"}]}`)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func startJobsAPI(t *testing.T) (*Connector, *jobsAPI) {
	t.Helper()
	api := &jobsAPI{items: map[string]bool{"a": true, "b": true}, jobs: map[string]int{}}
	base := startServer(t, api).URL
	status := func() map[string]any {
		return map[string]any{"job_id_path": "$.job.id", "status_path": "$.state", "done_values": []string{"done"},
			"status": map[string]any{"path": "/jobs/{{ .job_id }}"}}
	}
	c := New()
	configure(t, c, "jobs", map[string]any{"base_url": base,
		"access": map[string]any{"method": "POST", "path": "/lookups", "records_path": "$.found",
			"identifiers": map[string]any{"first_id": "id"}, "async": status()},
		"deletion": map[string]any{"mode": "per_record", "path": "/items/{{ .record_id }}",
			"not_found_is_deleted": true, "async": status()},
	})
	return c, api
}

// TestAsyncAccessFromStatus reads the records from the status answer, as
// APIs without a separate result request answer.
func TestAsyncAccessFromStatus(t *testing.T) {
	c, _ := startJobsAPI(t)
	ctx := context.Background()
	j := job("jobs", "k", "ada@example.com")
	resp, err := c.Access(ctx, &sdk.AccessRequest{Job: j})
	for i := 0; err == nil && resp.Pending != nil && i < 5; i++ {
		resp, err = c.PollAccess(ctx, &sdk.PollRequest{Job: j, Handle: resp.Pending.Handle})
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Records) != 2 || resp.Records[0].ID != "x1" || resp.Identifiers["first_id"] != `["x1","x2"]` {
		t.Errorf("Access = %+v", resp)
	}
}

// TestAsyncPerRecordDeletion: one job per record, polled until all are
// done; a record already gone (404, not_found_is_deleted) counts without a
// job.
func TestAsyncPerRecordDeletion(t *testing.T) {
	c, api := startJobsAPI(t)
	ctx := context.Background()
	j := job("jobs", "k", "ada@example.com")
	records := []sdk.Record{{ID: "a", Data: []byte(`{}`)}, {ID: "b", Data: []byte(`{}`)}, {ID: "gone", Data: []byte(`{}`)}}
	resp, err := c.Delete(ctx, &sdk.DeleteRequest{Job: j, Records: records})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Pending == nil {
		t.Fatalf("Delete = %+v, want Pending", resp)
	}
	polls := 0
	for ; resp.Pending != nil && polls < 5; polls++ {
		if resp, err = c.PollDelete(ctx, &sdk.PollRequest{Job: j, Handle: resp.Pending.Handle}); err != nil {
			t.Fatal(err)
		}
	}
	if resp.RecordsDeleted != 3 || resp.WholeRecord || polls != 2 {
		t.Errorf("after %d polls: %+v, want 3 records deleted after 2 polls", polls, resp)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.items) != 0 || len(api.jobs) != 2 {
		t.Errorf("items left %v, jobs %v", api.items, api.jobs)
	}
}
