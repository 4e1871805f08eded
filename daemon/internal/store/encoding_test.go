package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestOpenRequestHashIsListpack: with Redis's default limits (values of
// at most 64 bytes), a request's hash keeps the compact listpack encoding
// from filing to its integrations completing, through sealed handles,
// errors and notes; one value over the limit would convert it to a
// hashtable for good, several times the size. What does not fit goes to
// the ext hash and comes back whole, and leaves it when it fits again.
func TestOpenRequestHashIsListpack(t *testing.T) {
	rs := testredis.Start(t)
	s := New(rs.Client, "t", testRing(t))
	ctx := context.Background()
	id := ulid.Make().String()
	now := time.Now()

	// Filed as the engine files a deletion request: three integrations in
	// each of its two workflow states, one behind a dependency.
	r := newRequest(id, sdk.RequestDeletion, "a.rather.long.address+dsr@subdomain.example.com")
	r.SourceDetail = "privacy center form, submitted from the EU site"
	r.CreatedAt, r.DueAt = now, now.Add(45*24*time.Hour)
	var its []*Integration
	for _, w := range []state.Workflow{state.Extracting, state.PendingDelete} {
		for order, name := range []string{"crm", "analytics", "eraser"} {
			it := &Integration{Name: name, Category: "Customer support", Type: sdk.IntegrationType(order + 1),
				Workflow: w, Order: order, Status: state.NotStarted, UpdatedAt: now}
			if name == "eraser" {
				it.DependsOn, it.Detail = []string{"crm", "analytics"}, state.DetailWillProcess
			}
			its = append(its, it)
		}
	}
	create(t, s, r, its...)
	tx := s.NewTx(id)
	tx.PutManual(&ManualTask{Name: "paper-files", Category: "archive", Order: 3})
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}

	encoding := func(step string) {
		t.Helper()
		enc, err := rs.Client.ObjectEncoding(ctx, s.requestKey(id)).Result()
		if err != nil {
			t.Fatal(err)
		}
		if enc != "listpack" {
			t.Errorf("%s: request hash encoding is %q, want listpack", step, enc)
			for f, v := range rs.Client.HGetAll(ctx, s.requestKey(id)).Val() {
				t.Logf("field %q: %d bytes", f, len(v))
			}
		}
	}
	encoding("filed")

	// Approved: in Process, integrations running, then done.
	steps := []struct {
		name   string
		change func(*Integration)
	}{
		{"pending", func(it *Integration) {
			it.Status, it.Attempt, it.Phase, it.UpdatedAt = state.Pending, 1, PhaseCall, now
		}},
		{"processing", func(it *Integration) {
			it.Status, it.Detail, it.SubmittedAt, it.NextPollAt = state.Processing, state.DetailRequestSubmitted, now, now.Add(time.Hour)
			it.Phase, it.PollSeq, it.Handle = PhasePoll, 1, "export-job-7f3c9a0e-5b1d-4c2e-9f8a-0d6e1b2c3a4f"
		}},
		{"error", func(it *Integration) {
			if it.Name == "crm" {
				it.Status, it.Detail, it.Phase, it.Handle = state.Error, state.DetailNone, PhaseNone, ""
				it.NextAttemptAt = now.Add(time.Minute)
				it.Error = &state.ErrorInfo{Type: sdk.ErrorRateLimited, StatusCode: 429, Message: "rate limited",
					Remediation: "Wait for the quota to reset, or raise it in the CRM's admin console.", Retryable: true}
			}
		}},
		{"complete", func(it *Integration) {
			it.Status, it.Detail, it.Count, it.Phase, it.Handle, it.Error = state.Complete, state.DetailRecordsDeleted, 1234, PhaseNone, "", nil
			it.SubmittedAt, it.NextPollAt, it.NextAttemptAt, it.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, now.Add(time.Minute)
		}},
	}
	check := map[string]func(t *testing.T, snap *Snapshot){
		"processing": func(t *testing.T, snap *Snapshot) {
			if h := snap.Integration(state.PendingDelete, "eraser").Handle; h != "export-job-7f3c9a0e-5b1d-4c2e-9f8a-0d6e1b2c3a4f" {
				t.Errorf("handle read back as %q", h)
			}
		},
		"error": func(t *testing.T, snap *Snapshot) {
			if e := snap.Integration(state.Extracting, "crm").Error; e == nil || e.StatusCode != 429 || e.Remediation == "" {
				t.Errorf("error read back as %+v", e)
			}
			if h := snap.Integration(state.Extracting, "analytics").Handle; h == "" {
				t.Error("handle lost")
			}
		},
		"complete": func(t *testing.T, snap *Snapshot) {
			// Only the note, sealed, is still too long.
			if f := rs.Client.HKeys(ctx, s.extKey(id)).Val(); !slices.Equal(f, []string{"m:paper-files"}) {
				t.Errorf("ext hash holds %v, want the manual task only", f)
			}
			if it := snap.Integration(state.Extracting, "crm"); it.Error != nil || it.Handle != "" || it.Count != 1234 {
				t.Errorf("complete read back as %+v", it)
			}
		},
	}
	for _, st := range steps {
		snap, err := s.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		tx := s.NewTx(id)
		req := snap.Request.Clone()
		req.Stage, req.Workflow, req.Selected = state.StageProcess, state.Extracting, []string{"crm", "analytics", "eraser"}
		tx.PutRequest(req)
		for _, it := range snap.Integrations {
			next := it.Clone()
			st.change(next)
			tx.PutIntegration(next)
		}
		if st.name == "error" {
			m := *snap.ManualTask("paper-files")
			m.Done, m.DoneBy, m.DoneAt = true, "ops", now
			m.Note = "Shredded the paper file kept in the records room, box 12."
			tx.PutManual(&m)
		}
		if _, err := s.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		encoding(st.name)
		got, err := s.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c := check[st.name]; c != nil {
			c(t, got)
		}
	}
	got, _ := s.Load(ctx, id)
	if m := got.ManualTask("paper-files"); !m.Done || m.Note != "Shredded the paper file kept in the records room, box 12." {
		t.Errorf("manual task read back as %+v", m)
	}
}
