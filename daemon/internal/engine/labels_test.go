package engine

import (
	"context"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

var (
	accessOnly = []sdk.Capability{sdk.CapabilityAccess}
	deleteOnly = []sdk.Capability{sdk.CapabilityDelete}
	both       = []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete}
)

func spec(name string, t sdk.IntegrationType, caps []sdk.Capability, tune ...func(*IntegrationSpec)) IntegrationSpec {
	s := IntegrationSpec{Name: name, Category: "Test", Type: t, Capabilities: caps,
		RetryInterval: 100 * time.Millisecond, MaxAttempts: 1, PollInterval: 20 * time.Millisecond, MaxWait: time.Hour}
	for _, f := range tune {
		f(&s)
	}
	return s
}

func dependsOn(names ...string) func(*IntegrationSpec) {
	return func(s *IntegrationSpec) { s.DependsOn = names }
}

func onNoResponse(o OnNoResponse) func(*IntegrationSpec) {
	return func(s *IntegrationSpec) {
		s.DirectContact = DirectContactSpec{DueIn: 14 * 24 * time.Hour, OnNoResponse: o}
	}
}

const day = 24 * time.Hour

// TestEveryLabel drives a request into every state of both seed tables
// and checks the label word for word.
func TestEveryLabel(t *testing.T) {
	rs := testredis.Start(t)
	ctx := context.Background()

	// Each row's drive function creates and moves a request, returning its id.
	type row struct {
		label    string
		w        state.Workflow
		name     string
		specs    []IntegrationSpec
		remotes  map[string]sdk.Remote
		noStart  bool
		drive    func(h *harness) string
		deletion bool
	}
	syncRecords := func(n int) *fake {
		return &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(n), nil }}
	}
	forever := &fake{access: pendingAccess, pollAccess: stillPendingAccess, delete: pendingDelete, pollDelete: stillPendingDelete}
	dc := func() *fake {
		return &fake{access: pendingAccess, delete: pendingDelete}
	}
	awaiting := func(h *harness, rt sdk.RequestType, w state.Workflow) string {
		id := h.create(rt, "ada@example.com")
		h.approve(id)
		h.waitLabel(id, w, "dc", "Processing Due in 14 days")
		waitFor(t, "the processor to be asked", func() (bool, string) {
			snap, _ := h.e().store.Load(ctx, id)
			it := snap.Integration(w, "dc")
			return it.Phase == "await", string(it.Phase)
		})
		return id
	}
	answer := func(a Answer, files int) func(h *harness, rt sdk.RequestType, w state.Workflow) string {
		return func(h *harness, rt sdk.RequestType, w state.Workflow) string {
			id := awaiting(h, rt, w)
			in := AnswerInput{RequestID: id, Integration: "dc", Workflow: w, Answer: a}
			for range files {
				in.Files = append(in.Files, sdk.File{Name: "export.csv", ContentType: "text/csv", Content: []byte("a,b")})
			}
			if _, err := h.e().Answer(ctx, in); err != nil {
				t.Fatalf("answer: %v", err)
			}
			return id
		}
	}
	operator := func(rt sdk.RequestType, w state.Workflow, act func(e *Engine, id string) error) func(h *harness) string {
		return func(h *harness) string {
			id := h.create(rt, "ada@example.com")
			h.approve(id)
			h.waitLabel(id, w, "slow", "Processing Request submitted")
			if err := act(h.e(), id); err != nil {
				t.Fatal(err)
			}
			return id
		}
	}
	stop := func(e *Engine, id string) error { _, err := e.Stop(ctx, id, "slow", "ops"); return err }
	skip := func(e *Engine, id string) error { _, err := e.Skip(ctx, id, "slow", "ops"); return err }
	dcRow := func(label string, w state.Workflow, o OnNoResponse, drive func(h *harness, rt sdk.RequestType, w state.Workflow) string) row {
		rt, caps := sdk.RequestAccess, accessOnly
		if w == state.PendingDelete {
			rt, caps = sdk.RequestDeletion, deleteOnly
		}
		return row{label: label, w: w, name: "dc",
			specs:   []IntegrationSpec{spec("dc", sdk.DirectContact, caps, onNoResponse(o))},
			remotes: map[string]sdk.Remote{"dc": dc()},
			drive:   func(h *harness) string { return drive(h, rt, w) }}
	}
	advance := func(d time.Duration) func(h *harness, rt sdk.RequestType, w state.Workflow) string {
		return func(h *harness, rt sdk.RequestType, w state.Workflow) string {
			id := awaiting(h, rt, w)
			h.clock.Advance(d)
			if err := h.e().Reconcile(ctx); err != nil {
				t.Fatal(err)
			}
			return id
		}
	}
	failing := &fake{
		access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
			return nil, sdk.Errorf(sdk.ErrorAuth, "key rejected").WithStatus(401).WithRemediation("Set a valid API key.")
		},
		delete: func(context.Context, *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
			return nil, sdk.Errorf(sdk.ErrorPermission, "missing scope").WithStatus(403).WithRemediation("Grant the delete scope.")
		},
	}

	rows := []row{
		// Extracting Personal Data.
		{label: "Not Started", w: state.Extracting, name: "crm",
			specs: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}, remotes: map[string]sdk.Remote{"crm": syncRecords(1)},
			drive: func(h *harness) string { return h.create(sdk.RequestAccess, "ada@example.com") }},
		{label: "Not Started Will process in a workflow", w: state.Extracting, name: "after",
			specs:   []IntegrationSpec{spec("slow", sdk.AsynchronousAPI, accessOnly), spec("after", sdk.SynchronousAPI, accessOnly, dependsOn("slow"))},
			remotes: map[string]sdk.Remote{"slow": forever, "after": syncRecords(1)},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestAccess, "ada@example.com")
				h.approve(id)
				h.waitLabel(id, state.Extracting, "slow", "Processing Request submitted")
				return id
			}},
		{label: "Pending", w: state.Extracting, name: "crm", noStart: true,
			specs: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}, remotes: map[string]sdk.Remote{"crm": syncRecords(1)},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestAccess, "ada@example.com")
				h.approve(id)
				return id
			}},
		{label: "Processing Request submitted", w: state.Extracting, name: "slow",
			specs: []IntegrationSpec{spec("slow", sdk.AsynchronousAPI, accessOnly)}, remotes: map[string]sdk.Remote{"slow": forever},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestAccess, "ada@example.com")
				h.approve(id)
				return id
			}},
		dcRow("Processing Due in 5 days", state.Extracting, Block, advance(9*day)),
		dcRow("Processing Due 2 days ago", state.Extracting, Block, advance(16*day)),
		{label: "Error", w: state.Extracting, name: "crm",
			specs: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}, remotes: map[string]sdk.Remote{"crm": failing},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestAccess, "ada@example.com")
				h.approve(id)
				return id
			}},
		{label: "Complete Access skipped", w: state.Extracting, name: "slow",
			specs: []IntegrationSpec{spec("slow", sdk.AsynchronousAPI, accessOnly)}, remotes: map[string]sdk.Remote{"slow": forever},
			drive: operator(sdk.RequestAccess, state.Extracting, skip)},
		dcRow("Complete Access skipped (no response)", state.Extracting, Skip, advance(15*day)),
		{label: "Complete No records found", w: state.Extracting, name: "crm",
			specs: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}, remotes: map[string]sdk.Remote{"crm": syncRecords(0)},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestAccess, "ada@example.com")
				h.approve(id)
				return id
			}},
		dcRow("Complete No files uploaded", state.Extracting, Block, answer(AnswerNoFiles, 0)),
		{label: "Complete Stopped processing", w: state.Extracting, name: "slow",
			specs: []IntegrationSpec{spec("slow", sdk.AsynchronousAPI, accessOnly)}, remotes: map[string]sdk.Remote{"slow": forever},
			drive: operator(sdk.RequestAccess, state.Extracting, stop)},
		{label: "Complete 3 records found", w: state.Extracting, name: "crm",
			specs: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}, remotes: map[string]sdk.Remote{"crm": syncRecords(3)},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestAccess, "ada@example.com")
				h.approve(id)
				return id
			}},
		dcRow("Complete 2 of files uploaded", state.Extracting, Block, answer(AnswerFilesUploaded, 2)),

		// Pending Delete.
		{label: "Not Started", w: state.PendingDelete, name: "heap",
			specs:   []IntegrationSpec{spec("slow", sdk.AsynchronousAPI, both), spec("heap", sdk.WholeRecordDeletionAPI, deleteOnly)},
			remotes: map[string]sdk.Remote{"slow": forever, "heap": forever},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestDeletion, "ada@example.com")
				h.approve(id)
				h.waitLabel(id, state.Extracting, "slow", "Processing Request submitted")
				return id
			}},
		{label: "Not Started Will process in a workflow", w: state.PendingDelete, name: "after",
			specs:   []IntegrationSpec{spec("slow", sdk.WholeRecordDeletionAPI, deleteOnly), spec("after", sdk.WholeRecordDeletionAPI, deleteOnly, dependsOn("slow"))},
			remotes: map[string]sdk.Remote{"slow": forever, "after": forever},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestDeletion, "ada@example.com")
				h.approve(id)
				h.waitLabel(id, state.PendingDelete, "slow", "Processing Request submitted")
				return id
			}},
		{label: "Pending", w: state.PendingDelete, name: "heap", noStart: true,
			specs: []IntegrationSpec{spec("heap", sdk.WholeRecordDeletionAPI, deleteOnly)}, remotes: map[string]sdk.Remote{"heap": forever},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestDeletion, "ada@example.com")
				h.approve(id)
				return id
			}},
		{label: "Processing Request submitted", w: state.PendingDelete, name: "heap",
			specs: []IntegrationSpec{spec("heap", sdk.WholeRecordDeletionAPI, deleteOnly)}, remotes: map[string]sdk.Remote{"heap": forever},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestDeletion, "ada@example.com")
				h.approve(id)
				return id
			}},
		dcRow("Processing Due in 5 days", state.PendingDelete, Block, advance(9*day)),
		dcRow("Processing Due 2 days ago", state.PendingDelete, Block, advance(16*day)),
		{label: "Error", w: state.PendingDelete, name: "heap",
			specs: []IntegrationSpec{spec("heap", sdk.WholeRecordDeletionAPI, deleteOnly)}, remotes: map[string]sdk.Remote{"heap": failing},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestDeletion, "ada@example.com")
				h.approve(id)
				return id
			}},
		{label: "Complete Deletion skipped", w: state.PendingDelete, name: "slow",
			specs: []IntegrationSpec{spec("slow", sdk.WholeRecordDeletionAPI, deleteOnly)}, remotes: map[string]sdk.Remote{"slow": forever},
			drive: operator(sdk.RequestDeletion, state.PendingDelete, skip)},
		dcRow("Complete Deletion skipped (no response)", state.PendingDelete, Skip, advance(15*day)),
		dcRow("Complete Nothing to delete", state.PendingDelete, Block, answer(AnswerNothingToDelete, 0)),
		{label: "Complete No records deleted", w: state.PendingDelete, name: "crm",
			specs: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, both)},
			remotes: map[string]sdk.Remote{"crm": &fake{
				access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(0), nil },
				delete: func(context.Context, *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
					t.Error("Delete called although extraction found no records")
					return &sdk.DeleteResponse{}, nil
				},
			}},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestDeletion, "ada@example.com")
				h.approve(id)
				return id
			}},
		{label: "Complete Stopped processing", w: state.PendingDelete, name: "slow",
			specs: []IntegrationSpec{spec("slow", sdk.WholeRecordDeletionAPI, deleteOnly)}, remotes: map[string]sdk.Remote{"slow": forever},
			drive: operator(sdk.RequestDeletion, state.PendingDelete, stop)},
		{label: "Complete Deletion done", w: state.PendingDelete, name: "heap",
			specs: []IntegrationSpec{spec("heap", sdk.WholeRecordDeletionAPI, deleteOnly)},
			remotes: map[string]sdk.Remote{"heap": &fake{delete: func(context.Context, *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
				return &sdk.DeleteResponse{WholeRecord: true}, nil
			}}},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestDeletion, "ada@example.com")
				h.approve(id)
				return id
			}},
		dcRow("Complete Deletion done", state.PendingDelete, Block, answer(AnswerDeleted, 0)),
		// An API integration that extracts, then deletes the whole record
		// by identity (genericrest's deletion mode "whole_record").
		{label: "Complete Deletion done", w: state.PendingDelete, name: "crm",
			specs: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, both)},
			remotes: map[string]sdk.Remote{"crm": &fake{
				access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(2), nil },
				delete: func(context.Context, *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
					return &sdk.DeleteResponse{WholeRecord: true}, nil
				},
			}},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestDeletion, "ada@example.com")
				h.approve(id)
				return id
			}},

		{label: "Complete 3 records deleted", w: state.PendingDelete, name: "crm",
			specs: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, both)},
			remotes: map[string]sdk.Remote{"crm": &fake{
				access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(3), nil },
				delete: func(_ context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
					return &sdk.DeleteResponse{RecordsDeleted: int64(len(req.Records))}, nil
				},
			}},
			drive: func(h *harness) string {
				id := h.create(sdk.RequestDeletion, "ada@example.com")
				h.approve(id)
				return id
			}},
		dcRow("Complete Data found, not deleted", state.PendingDelete, Block, answer(AnswerNotDeleted, 0)),
	}

	covered := map[string]bool{}
	for _, r := range rows {
		t.Run(r.w.String()+"/"+r.label, func(t *testing.T) {
			h := newHarness(t, rs.Client, Config{Integrations: r.specs}, r.remotes, 1)
			if !r.noStart {
				h.start()
			}
			id := r.drive(h)
			h.waitLabel(id, r.w, r.name, r.label)

			// The stored state is one the seed allows for the type.
			snap, err := h.e().store.Load(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			it := snap.Integration(r.w, r.name)
			if err := it.State().Validate(it.Type); err != nil {
				t.Errorf("state outside the seed's table: %v", err)
			}
			if r.label == "Error" {
				v := integration(h.get(id), r.w, r.name)
				if v.Error == nil || v.Error.StatusCode == 0 || v.Error.Remediation == "" || v.Error.Type == "" {
					t.Errorf("error details not kept: %+v", v.Error)
				}
			}
			covered[r.w.String()+"/"+it.Status.String()+"/"+it.Detail.Code()+"/"+r.label] = true
		})
	}

	// Every row of both tables was reached (Due in/ago count as one row).
	for _, w := range []state.Workflow{state.Extracting, state.PendingDelete} {
		for _, r := range state.Table(w) {
			found := false
			for k := range covered {
				if len(k) > 0 && hasPrefix(k, w.String()+"/"+r.Status.String()+"/"+r.Detail.Code()+"/") {
					found = true
				}
			}
			if !found {
				t.Errorf("%s row %q never reached", w, r.Label)
			}
		}
	}
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
