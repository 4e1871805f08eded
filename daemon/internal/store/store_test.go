package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

func testRing(t testing.TB) *seal.KeyRing {
	t.Helper()
	ring, err := seal.NewKeyRing(testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

// testKey is a fresh random encryption key.
func testKey(t testing.TB) seal.Key {
	t.Helper()
	secret := make([]byte, seal.KeySize)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	k, err := seal.NewKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var t0 = time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)

func newRequest(id string, typ sdk.RequestType, email string) *Request {
	return &Request{
		ID: id, Type: typ, Subject: sdk.Subject{Email: email, Identifiers: map[string]string{"crm_id": "C-77"}},
		Details: "please forget me", Source: "manual", CreatedAt: t0, DueAt: t0.Add(45 * 24 * time.Hour),
		Stage: state.StageReview,
	}
}

func create(t *testing.T, s *Store, r *Request, its ...*Integration) {
	t.Helper()
	tx := s.NewTx(r.ID)
	tx.PutRequest(r)
	for _, i := range its {
		tx.PutIntegration(i)
	}
	tx.AddLookup("email", r.Subject.Email)
	tx.Append(Event{Time: t0, Kind: "request.created", Actor: "system"})
	if _, err := s.Commit(context.Background(), tx); err != nil {
		t.Fatalf("create %s: %v", r.ID, err)
	}
}

func TestCommitCompareAndSet(t *testing.T) {
	rs := testredis.Start(t)
	s := New(rs.Client, "t", testRing(t))
	ctx := context.Background()
	id := ulid.Make().String()
	create(t, s, newRequest(id, sdk.RequestAccess, "ada@example.com"),
		&Integration{Name: "crm", Type: sdk.SynchronousAPI, Workflow: state.Extracting, Status: state.Pending, Attempt: 1})

	// Two readers of the same version: the first write wins, the second
	// conflicts and changes nothing.
	a, err := s.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Load(ctx, id)
	stop := a.Integration(state.Extracting, "crm").Clone()
	stop.Status, stop.Detail = state.Complete, state.DetailStopped
	tx := s.NewTx(id)
	tx.PutIntegration(stop)
	tx.Append(Event{Time: t0, Kind: "operator.stop", Actor: "ops"})
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}

	late := b.Integration(state.Extracting, "crm").Clone()
	late.Status, late.Detail, late.Count = state.Complete, state.DetailRecordsFound, 3
	tx = s.NewTx(id)
	tx.PutIntegration(late)
	tx.PutResult(state.Extracting, "crm", &Result{Records: []sdk.Record{{ID: "1"}}}, 0)
	tx.Append(Event{Time: t0, Kind: "integration.state"})
	if _, err := s.Commit(ctx, tx); !errors.Is(err, ErrConflict) {
		t.Fatalf("late commit error = %v, want ErrConflict", err)
	}

	got, _ := s.Load(ctx, id)
	if l := got.Integration(state.Extracting, "crm").State().Label(t0); l != "Complete Stopped processing" {
		t.Errorf("label = %q, want the stop to stand", l)
	}
	res, err := s.Results(ctx, id, []ResultKey{{state.Extracting, "crm"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 0 {
		t.Error("a rejected commit wrote results")
	}
	hist, err := s.History(ctx, id, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range hist {
		kinds = append(kinds, e.Kind)
	}
	if strings.Join(kinds, ",") != "request.created,operator.stop" {
		t.Errorf("history = %v", kinds)
	}

	// Creating an existing request conflicts.
	tx = s.NewTx(id)
	tx.PutRequest(newRequest(id, sdk.RequestAccess, "x@example.com"))
	if _, err := s.Commit(ctx, tx); !errors.Is(err, ErrConflict) {
		t.Errorf("second create error = %v, want ErrConflict", err)
	}
	// A check on a stale version conflicts too.
	tx = s.NewTx(id)
	tx.CheckIntegration(b.Integration(state.Extracting, "crm"))
	tx.Append(Event{Time: t0, Kind: "x"})
	if _, err := s.Commit(ctx, tx); !errors.Is(err, ErrConflict) {
		t.Errorf("stale check error = %v, want ErrConflict", err)
	}
}

func TestSealedAtRest(t *testing.T) {
	rs := testredis.Start(t)
	s := New(rs.Client, "t", testRing(t))
	ctx := context.Background()
	id := ulid.Make().String()
	r := newRequest(id, sdk.RequestAccess, "grace@example.com")
	r.Subject.Phone, r.Subject.UserID = "+15550199", "user-hopper-1906"
	r.SourceDetail = "form at grace-hopper.example"
	create(t, s, r,
		&Integration{Name: "crm", Type: sdk.AsynchronousAPI, Workflow: state.Extracting, Status: state.Processing, Handle: "job-for-grace@example.com"})
	snap, _ := s.Load(ctx, id)
	tx := s.NewTx(id)
	tx.PutResult(state.Extracting, "crm", &Result{
		Records:     []sdk.Record{{ID: "r1", Data: []byte(`{"phone":"+15550100"}`)}},
		Files:       []sdk.File{{Name: "export.csv", Content: []byte("grace,hopper,navy")}},
		Identifiers: map[string]string{"crm_contact": "contact-of-grace"},
	}, 0)
	tx.PutManual(&ManualTask{Name: "paper", Done: true, Note: "shredded grace's file"})
	tx.Append(Event{Time: t0, Kind: "reply.sent", Attributes: map[string]string{"template": "completed"},
		Sealed: map[string]string{"body": "Dear grace@example.com", "subject": "Your data, Ms Hopper"}})
	tx.CheckRequest(snap.Request)
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}

	dump := testredis.Dump(t, rs.Client)
	for _, secret := range []string{"grace@example.com", "please forget me", "+15550100", "shredded", "C-77", "job-for",
		"+15550199", "user-hopper", "grace-hopper.example", "grace,hopper", "contact-of-grace", "Ms Hopper"} {
		if bytes.Contains(dump, []byte(secret)) {
			t.Errorf("Redis holds %q in plaintext", secret)
		}
	}

	got, err := s.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Request.Subject.Email != "grace@example.com" || got.Request.Details != "please forget me" ||
		got.Integration(state.Extracting, "crm").Handle != "job-for-grace@example.com" ||
		got.ManualTask("paper").Note != "shredded grace's file" {
		t.Errorf("round trip lost data: %+v", got.Request)
	}
	if subj := got.Request.Subject; subj.Phone != "+15550199" || subj.UserID != "user-hopper-1906" || subj.Identifiers["crm_id"] != "C-77" ||
		got.Request.SourceDetail != "form at grace-hopper.example" {
		t.Errorf("round trip lost the subject: %+v", got.Request)
	}
	res, err := s.Results(ctx, id, []ResultKey{{state.Extracting, "crm"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[ResultKey{state.Extracting, "crm"}]; r == nil || string(r.Records[0].Data) != `{"phone":"+15550100"}` ||
		string(r.Files[0].Content) != "grace,hopper,navy" || r.Identifiers["crm_contact"] != "contact-of-grace" {
		t.Errorf("round trip lost results: %+v", r)
	}
	hist, _ := s.History(ctx, id, "", 0)
	if a := hist[len(hist)-1].Attributes; a["body"] != "Dear grace@example.com" || a["subject"] != "Your data, Ms Hopper" || a["template"] != "completed" {
		t.Errorf("history attributes = %q", a)
	}
	// Another key ring cannot read it.
	other := New(rs.Client, "t", testRing(t))
	if _, err := other.Load(ctx, id); !errors.Is(err, seal.ErrUnknownKey) {
		t.Errorf("load under another key: %v, want ErrUnknownKey", err)
	}
}

func TestListAndIndexes(t *testing.T) {
	rs := testredis.Start(t)
	s := New(rs.Client, "t", testRing(t))
	ctx := context.Background()
	var ids []string
	for i := range 25 {
		id := ulid.MustNew(ulid.Timestamp(t0.Add(time.Duration(i)*time.Second)), rand.Reader).String()
		ids = append(ids, id)
		typ := sdk.RequestAccess
		if i%2 == 1 {
			typ = sdk.RequestDeletion
		}
		status := state.Pending
		if i%5 == 0 {
			status = state.Error
		}
		email := fmt.Sprintf("user%d@example.com", i%3)
		create(t, s, newRequest(id, typ, email),
			&Integration{Name: "crm", Type: sdk.SynchronousAPI, Workflow: state.Extracting, Status: status},
			&Integration{Name: "heap", Type: sdk.WholeRecordDeletionAPI, Workflow: state.PendingDelete, Status: state.NotStarted})
	}
	// Move every third request to Process.
	for i := 0; i < 25; i += 3 {
		snap, _ := s.Load(ctx, ids[i])
		r := snap.Request.Clone()
		r.Stage = state.StageProcess
		tx := s.NewTx(r.ID)
		tx.PutRequest(r)
		if _, err := s.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}

	want := func(pred func(i int) bool) []string {
		var out []string
		for i := 24; i >= 0; i-- {
			if pred(i) {
				out = append(out, ids[i])
			}
		}
		return out
	}
	tests := []struct {
		name string
		f    Filter
		want []string
	}{
		{"all", Filter{}, want(func(int) bool { return true })},
		{"process", Filter{Stage: state.StageProcess}, want(func(i int) bool { return i%3 == 0 })},
		{"review", Filter{Stage: state.StageReview}, want(func(i int) bool { return i%3 != 0 })},
		{"deletion", Filter{Type: sdk.RequestDeletion}, want(func(i int) bool { return i%2 == 1 })},
		{"error", Filter{Status: state.Error}, want(func(i int) bool { return i%5 == 0 })},
		{"error on heap", Filter{Status: state.Error, Integration: "heap"}, nil},
		{"not started on heap", Filter{Status: state.NotStarted, Integration: "heap"}, want(func(int) bool { return true })},
		{"deletion in process with errors", Filter{Type: sdk.RequestDeletion, Stage: state.StageProcess, Status: state.Error}, want(func(i int) bool { return i%2 == 1 && i%3 == 0 && i%5 == 0 })},
		{"email", Filter{Email: "user1@example.com"}, want(func(i int) bool { return i%3 == 1 })},
		{"due before", Filter{DueBefore: t0}, nil},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 4, 100} {
			t.Run(fmt.Sprintf("%s/limit=%d", tt.name, limit), func(t *testing.T) {
				var got []string
				cursor := ""
				for range 100 {
					page, next, err := s.List(ctx, tt.f, cursor, limit)
					if err != nil {
						t.Fatal(err)
					}
					if len(page) > limit {
						t.Fatalf("page of %d, limit %d", len(page), limit)
					}
					for _, p := range page {
						got = append(got, p.Request.ID)
					}
					if next == "" {
						break
					}
					cursor = next
				}
				if strings.Join(got, ",") != strings.Join(tt.want, ",") {
					t.Errorf("got %d ids %v\nwant %d %v", len(got), got, len(tt.want), tt.want)
				}
			})
		}
	}
	// Stage index entries left behind are removed after the commit.
	if n := rs.Client.ZCard(ctx, "t:idx:stage:review").Val(); n != int64(len(want(func(i int) bool { return i%3 != 0 }))) {
		t.Errorf("review index has %d entries", n)
	}
}

func TestResultsExpire(t *testing.T) {
	rs := testredis.Start(t)
	s := New(rs.Client, "t", testRing(t))
	ctx := context.Background()
	id := ulid.Make().String()
	create(t, s, newRequest(id, sdk.RequestAccess, "ada@example.com"))
	tx := s.NewTx(id)
	tx.PutResult(state.Extracting, "crm", &Result{Records: []sdk.Record{{ID: "1", Kind: "contact"}}}, 0)
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	keys := []ResultKey{{state.Extracting, "crm"}}
	res, err := s.Results(ctx, id, keys)
	if err != nil || len(res) != 1 || res[keys[0]].Records[0].Kind != "contact" {
		t.Fatalf("results = %v, %v", res, err)
	}
	tx = s.NewTx(id)
	tx.ExpireResult(state.Extracting, "crm", 30*time.Millisecond)
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, err = s.Results(ctx, id, keys)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("results never purged")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCommitOnCluster(t *testing.T) {
	c := testredis.StartCluster(t)
	s := New(c.Client, "t", testRing(t))
	ctx := context.Background()
	var ids []string
	for range 20 {
		id := ulid.Make().String()
		ids = append(ids, id)
		create(t, s, newRequest(id, sdk.RequestDeletion, "ada@example.com"),
			&Integration{Name: "crm", Type: sdk.SynchronousAPI, Workflow: state.Extracting, Status: state.Pending})
		tx := s.NewTx(id)
		tx.PutResult(state.Extracting, "crm", &Result{Records: []sdk.Record{{ID: "1"}}}, time.Hour)
		tx.Append(Event{Time: t0, Kind: "integration.state"})
		if _, err := s.Commit(ctx, tx); err != nil {
			t.Fatalf("commit across one hash tag on a cluster: %v", err)
		}
	}
	page, _, err := s.List(ctx, Filter{Email: "ada@example.com"}, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 20 {
		t.Errorf("listed %d requests, want 20", len(page))
	}
	snaps, err := s.LoadMany(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, snap := range snaps {
		if snap == nil || len(snap.Integrations) != 1 {
			t.Fatalf("LoadMany on a cluster: %+v", snap)
		}
	}
}

// A load while commits move a document between the request hash and its
// ext hash reads each value with its own document: never a value pointing
// to an ext field a commit has just removed.
func TestLoadWhileDocumentsMove(t *testing.T) {
	s := New(testredis.Start(t).Client, "t", testRing(t))
	ctx := context.Background()
	id := ulid.Make().String()
	create(t, s, newRequest(id, sdk.RequestAccess, "ada@example.com"), &Integration{Name: "crm", Workflow: state.Extracting, Status: state.Pending})
	done := make(chan error, 1)
	go func() {
		for i := range 400 {
			snap, err := s.Load(ctx, id)
			if err != nil {
				done <- err
				return
			}
			it := snap.Integration(state.Extracting, "crm").Clone()
			it.Handle = "" // inline
			if i%2 == 0 {
				it.Handle = strings.Repeat("h", 200) // too long: ext
			}
			tx := s.NewTx(id)
			tx.PutIntegration(it)
			if _, err := s.Commit(ctx, tx); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			return
		default:
		}
		if _, err := s.Load(ctx, id); err != nil {
			t.Fatalf("load while documents move: %v", err)
		}
	}
}
