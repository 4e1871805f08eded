package store

import (
	"context"
	"testing"

	"github.com/oklog/ulid/v2"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestPersonalDataWrittenOnlyWhenChanged: moving a request writes its
// sealed personal data again only if it changed (a fresh seal has a fresh
// nonce, so the stored bytes tell), and a change is stored and read back.
func TestPersonalDataWrittenOnlyWhenChanged(t *testing.T) {
	rs := testredis.Start(t)
	s := New(rs.Client, "t", testRing(t))
	ctx := context.Background()
	id := ulid.Make().String()
	create(t, s, newRequest(id, sdk.RequestAccess, "ada@example.com"))
	sealed := func() string {
		t.Helper()
		v, err := rs.Client.Get(ctx, s.personalKey(id)).Result()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	commit := func(change func(*Request)) {
		t.Helper()
		snap, err := s.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		next := snap.Request.Clone()
		change(next)
		tx := s.NewTx(id)
		tx.PutRequest(next)
		if _, err := s.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}

	before := sealed()
	commit(func(r *Request) { r.Stage, r.Workflow = state.StageProcess, state.Extracting })
	if sealed() != before {
		t.Error("a stage change sealed and wrote unchanged personal data again")
	}
	commit(func(r *Request) { r.Subject.Identifiers["crm_id"] = "C-78"; r.Details = "changed" })
	if sealed() == before {
		t.Fatal("changed personal data was not written")
	}
	snap, err := s.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Request; got.Subject.Identifiers["crm_id"] != "C-78" || got.Details != "changed" || got.Subject.Email != "ada@example.com" {
		t.Errorf("read back subject %+v, details %q", got.Subject, got.Details)
	}
	if snap.Request.Stage != state.StageProcess {
		t.Errorf("stage = %v", snap.Request.Stage)
	}
}
