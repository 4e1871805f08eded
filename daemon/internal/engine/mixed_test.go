package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// mixed is a run of many requests over synchronous, asynchronous,
// whole-record, Direct Contact, flaky and failing connectors, with an
// operator retrying, stopping and skipping.
type mixed struct {
	t        testing.TB
	h        *harness
	n        int
	index    map[string]int // request id -> i
	fixed    sync.Map       // request id -> true once "broken" is fixed
	inFlight sync.Map       // idempotency key -> true while a call runs
	doubled  atomic.Int64   // calls that overlapped another of the same key
	calls    atomic.Int64
}

func subjectIndex(s sdk.Subject) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(s.Email, "subject-"), "@example.com"))
	return n
}

// track counts calls and catches two running at once for one attempt.
func (m *mixed) track(job sdk.Job, kind string) func() {
	m.calls.Add(1)
	key := job.IdempotencyKey + "/" + kind
	if _, loaded := m.inFlight.LoadOrStore(key, true); loaded {
		m.doubled.Add(1)
	}
	return func() { m.inFlight.Delete(key) }
}

func (m *mixed) remotes() map[string]sdk.Remote {
	crm := &fake{
		access: func(_ context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
			defer m.track(req.Job, "access")()
			return records(subjectIndex(req.Job.Subject) % 3), nil
		},
		delete: func(_ context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
			defer m.track(req.Job, "delete")()
			return &sdk.DeleteResponse{RecordsDeleted: int64(len(req.Records))}, nil
		},
	}
	// warehouse: asynchronous, done on the second poll; it finds a user id.
	polls := sync.Map{}
	warehouse := &fake{
		access: func(_ context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
			defer m.track(req.Job, "access")()
			return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "a-" + req.Job.IdempotencyKey, PollAfter: 20 * time.Millisecond}}, nil
		},
		pollAccess: func(_ context.Context, req *sdk.PollRequest) (*sdk.AccessResponse, error) {
			defer m.track(req.Job, "poll")()
			n, _ := polls.LoadOrStore(req.Handle, new(atomic.Int64))
			if n.(*atomic.Int64).Add(1) < 2 {
				return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: req.Handle}}, nil
			}
			r := records(1)
			r.Identifiers = map[string]string{"user_id": fmt.Sprintf("u-%d", subjectIndex(req.Job.Subject))}
			return r, nil
		},
		delete: func(_ context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
			defer m.track(req.Job, "delete")()
			return &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: "d-" + req.Job.IdempotencyKey}}, nil
		},
		pollDelete: func(_ context.Context, req *sdk.PollRequest) (*sdk.DeleteResponse, error) {
			defer m.track(req.Job, "poll")()
			return &sdk.DeleteResponse{RecordsDeleted: 1}, nil
		},
	}
	// heap: whole-record, asynchronous; it needs the user id warehouse found.
	heap := &fake{
		delete: func(_ context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
			defer m.track(req.Job, "delete")()
			if want := fmt.Sprintf("u-%d", subjectIndex(req.Job.Subject)); req.Job.Subject.Identifiers["user_id"] != want {
				return nil, sdk.Errorf(sdk.ErrorInternal, "heap got no user id")
			}
			return &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: "h"}}, nil
		},
		pollDelete: func(_ context.Context, req *sdk.PollRequest) (*sdk.DeleteResponse, error) {
			defer m.track(req.Job, "poll")()
			return &sdk.DeleteResponse{WholeRecord: true}, nil
		},
	}
	// flaky fails its first call on each request as a crashed plugin would.
	var flakySeen sync.Map
	flaky := &fake{access: func(_ context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		defer m.track(req.Job, "access")()
		if _, again := flakySeen.LoadOrStore(req.Job.RequestID, true); !again {
			return nil, sdk.Errorf(sdk.ErrorPluginCrashed, "plugin exited mid-call")
		}
		return records(1), nil
	}}
	// broken fails until the operator fixes it (for some requests).
	broken := &fake{
		access: func(_ context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
			defer m.track(req.Job, "access")()
			if _, ok := m.fixed.Load(req.Job.RequestID); ok {
				return records(1), nil
			}
			return nil, sdk.Errorf(sdk.ErrorAuth, "token expired").WithStatus(401).WithRemediation("Renew the token.")
		},
		delete: func(_ context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
			defer m.track(req.Job, "delete")()
			if _, ok := m.fixed.Load(req.Job.RequestID); ok {
				return &sdk.DeleteResponse{RecordsDeleted: int64(len(req.Records))}, nil
			}
			return nil, sdk.Errorf(sdk.ErrorAuth, "token expired").WithStatus(401).WithRemediation("Renew the token.")
		},
	}
	acme := &fake{
		access: func(_ context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
			defer m.track(req.Job, "access")()
			return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "mail"}}, nil
		},
		delete: func(_ context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
			defer m.track(req.Job, "delete")()
			return &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: "mail"}}, nil
		},
	}
	return map[string]sdk.Remote{"crm": crm, "warehouse": warehouse, "heap": heap, "flaky": flaky, "broken": broken, "acme": acme}
}

func mixedConfig() Config {
	fast := func(s *IntegrationSpec) { s.PollInterval = 50 * time.Millisecond; s.MaxAttempts = 3 }
	return Config{
		Integrations: []IntegrationSpec{
			spec("crm", sdk.SynchronousAPI, both, fast),
			spec("warehouse", sdk.AsynchronousAPI, both, fast),
			spec("heap", sdk.WholeRecordDeletionAPI, deleteOnly, fast, dependsOn("warehouse")),
			spec("flaky", sdk.SynchronousAPI, accessOnly, fast, func(s *IntegrationSpec) { s.RetryInterval = 200 * time.Millisecond }),
			spec("broken", sdk.SynchronousAPI, both, fast, func(s *IntegrationSpec) { s.MaxAttempts = 2; s.RetryInterval = 100 * time.Millisecond }),
			spec("acme", sdk.DirectContact, both, onNoResponse(Block)),
		},
		Manual: []ManualSpec{{Name: "paper", Category: "Physical records", RequestTypes: []sdk.RequestType{sdk.RequestDeletion, sdk.RequestDoNotMail}}},
	}
}

func mixedType(i int) sdk.RequestType {
	return []sdk.RequestType{sdk.RequestAccess, sdk.RequestDeletion, sdk.RequestDeletion, sdk.RequestDoNotMail}[i%4]
}

// expected is the final label of every integration of request i.
func expected(i int) map[string]string {
	out := map[string]string{}
	found := func(n int) string {
		if n == 0 {
			return "Complete No records found"
		}
		return fmt.Sprintf("Complete %d records found", n)
	}
	brokenExtract := []string{"Complete 1 records found", "Complete Stopped processing", "Complete Access skipped"}[i%3]
	switch mixedType(i) {
	case sdk.RequestAccess:
		out["extracting/crm"] = found(i % 3)
		out["extracting/warehouse"] = "Complete 1 records found"
		out["extracting/flaky"] = "Complete 1 records found"
		out["extracting/broken"] = brokenExtract
		out["extracting/acme"] = "Complete 1 of files uploaded"
	case sdk.RequestDeletion:
		out["extracting/crm"] = found(i % 3)
		out["extracting/warehouse"] = "Complete 1 records found"
		out["extracting/flaky"] = "Complete 1 records found"
		out["extracting/broken"] = brokenExtract
		if i%3 == 0 {
			out["pending_delete/crm"] = "Complete No records deleted"
		} else {
			out["pending_delete/crm"] = fmt.Sprintf("Complete %d records deleted", i%3)
		}
		out["pending_delete/warehouse"] = "Complete 1 records deleted"
		out["pending_delete/heap"] = "Complete Deletion done"
		out["pending_delete/broken"] = []string{"Complete 1 records deleted", "Complete Stopped processing", "Complete Deletion skipped"}[i%3]
		out["pending_delete/acme"] = []string{"Complete Deletion done", "Complete Nothing to delete"}[i%2]
	}
	return out
}

// operate plays the operator on one request: fix and retry, stop or skip
// "broken" once its attempts are spent; answer for acme; complete the
// manual task; close once in Reply. It reports whether the request is
// closed.
func (m *mixed) operate(ctx context.Context, r *Request) (bool, error) {
	e := m.h.engines[len(m.h.engines)-1] // operator calls go to another engine than most jobs
	i := m.index[r.ID]
	switch r.Stage {
	case state.StageClosed:
		return true, nil
	case state.StageReply:
		_, err := e.Close(ctx, r.ID, "ops", Reply{Subject: "Done", Body: "Dear " + r.Subject.Email})
		return err == nil, ignorePrecondition(err)
	case state.StageReview:
		return false, nil
	}
	for _, it := range r.Integrations {
		if it.Workflow != r.Workflow {
			continue
		}
		var err error
		switch {
		case it.Name == "broken" && it.Status == state.Error && it.NextAttemptAt.IsZero():
			switch i % 3 {
			case 0:
				m.fixed.Store(r.ID, true)
				_, err = e.Retry(ctx, r.ID, "broken", "ops")
			case 1:
				_, err = e.Stop(ctx, r.ID, "broken", "ops")
			case 2:
				_, err = e.Skip(ctx, r.ID, "broken", "ops")
			}
		case it.Name == "acme" && it.Status == state.Processing:
			in := AnswerInput{RequestID: r.ID, Integration: "acme", Workflow: it.Workflow}
			switch {
			case it.Workflow == state.Extracting:
				in.Answer, in.Files = AnswerFilesUploaded, []sdk.File{{Name: "export.csv", Content: []byte("email,subject-" + strconv.Itoa(i) + "@example.com")}}
			case i%2 == 0:
				in.Answer = AnswerDeleted
			default:
				in.Answer = AnswerNothingToDelete
			}
			_, err = e.Answer(ctx, in)
		}
		if err = ignorePrecondition(err); err != nil {
			return false, err
		}
	}
	for _, mt := range r.ManualTasks {
		if !mt.Done {
			if _, err := e.CompleteManualTask(ctx, r.ID, mt.Name, "ops", "done for subject-"+strconv.Itoa(i)); ignorePrecondition(err) != nil {
				return false, err
			}
		}
	}
	return false, nil
}

func ignorePrecondition(err error) error {
	if errors.Is(err, ErrFailedPrecondition) {
		return nil
	}
	return err
}

type mixedStats struct {
	requests, integrations int
	elapsed                time.Duration
	calls                  int64
}

func runMixed(t testing.TB, rdb redis.UniversalClient, engines, n int) (*mixed, mixedStats) {
	m := &mixed{t: t, n: n, index: map[string]int{}}
	h := newHarness(t, rdb, mixedConfig(), m.remotes(), engines)
	m.h = h
	ctx := context.Background()
	start := time.Now()
	h.start()
	for i := range n {
		e := h.engines[i%len(h.engines)]
		r, err := e.Create(ctx, CreateInput{Type: mixedType(i), Subject: sdk.Subject{Email: fmt.Sprintf("subject-%d@example.com", i)},
			Details: fmt.Sprintf("secret-detail-%d", i), Source: "privacy_center", Actor: "ops"})
		if err != nil {
			t.Fatal(err)
		}
		m.index[r.ID] = i
		if _, err := e.Approve(ctx, r.ID, "ops", nil); err != nil {
			t.Fatal(err)
		}
	}
	closed := map[string]bool{}
	deadline := time.Now().Add(3 * time.Minute)
	for len(closed) < n {
		if time.Now().After(deadline) {
			var open []string
			for id, i := range m.index {
				if !closed[id] {
					r := h.get(id)
					var ls []string
					for _, it := range r.Integrations {
						ls = append(ls, it.Workflow.Code()+"/"+it.Name+"="+it.Label)
					}
					open = append(open, fmt.Sprintf("#%d %s %s %v", i, r.Stage, r.Workflow, ls))
					if len(open) > 5 {
						break
					}
				}
			}
			t.Fatalf("%d of %d requests closed; open: %s", len(closed), n, strings.Join(open, "\n"))
		}
		for id := range m.index {
			if closed[id] {
				continue
			}
			done, err := m.operate(ctx, h.get(id))
			if err != nil {
				t.Fatalf("operator: %v", err)
			}
			if done {
				closed[id] = true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	st := mixedStats{requests: n, elapsed: time.Since(start), calls: m.calls.Load()}

	// Every integration ended where expected, in a state of the seed's tables.
	for id, i := range m.index {
		r := h.get(id)
		if r.Stage != state.StageClosed || r.Outcome != state.OutcomeCompleted {
			t.Errorf("#%d: %s %s", i, r.Stage, r.Outcome)
		}
		got := map[string]string{}
		for _, it := range r.Integrations {
			got[it.Workflow.Code()+"/"+it.Name] = it.Label
		}
		want := expected(i)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("#%d (%s):\n got %v\nwant %v", i, r.Type, got, want)
		}
		st.integrations += len(r.Integrations)
		snap, err := h.e().store.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range snap.Integrations {
			if err := it.State().Validate(it.Type); err != nil {
				t.Errorf("#%d %s: %v", i, it.Name, err)
			}
		}
		// Exactly one terminal transition per integration, whoever ran it.
		terminal := map[string]int{}
		for _, ev := range h.history(id) {
			if ev.Kind == EventIntegrationState && ev.Attributes["status"] == "complete" {
				terminal[ev.Workflow+"/"+ev.Integration]++
			}
		}
		for k, c := range terminal {
			if c != 1 {
				t.Errorf("#%d %s: %d terminal transitions, want 1", i, k, c)
			}
		}
		if len(terminal) != len(r.Integrations) {
			t.Errorf("#%d: %d terminal transitions for %d integrations", i, len(terminal), len(r.Integrations))
		}
	}
	if d := m.doubled.Load(); d != 0 {
		t.Errorf("%d connector calls ran twice at once for the same attempt", d)
	}

	// Nothing personal in plaintext anywhere in Redis.
	dump := testredis.Dump(t, rdb)
	for i := range n {
		for _, secret := range []string{fmt.Sprintf("subject-%d@example.com", i), fmt.Sprintf("secret-detail-%d", i), fmt.Sprintf("u-%d\"", i)} {
			if bytes.Contains(dump, []byte(secret)) {
				t.Fatalf("Redis holds %q in plaintext", secret)
			}
		}
	}
	for _, secret := range []string{"record-value-", "email,subject-", "done for subject-", "Dear subject-"} {
		if bytes.Contains(dump, []byte(secret)) {
			t.Fatalf("Redis holds %q in plaintext", secret)
		}
	}
	return m, st
}

func reportMixed(t testing.TB, rdb redis.UniversalClient, m *mixed, st mixedStats) {
	ctx := context.Background()
	var bytes, keys, hist, hashes atomic.Int64
	countNode := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, m.h.prefix+":{*", 1000).Iterator()
		for iter.Next(ctx) {
			keys.Add(1)
			n, err := c.MemoryUsage(ctx, iter.Val(), 0).Result()
			if err != nil {
				continue
			}
			bytes.Add(n)
			switch {
			case strings.HasSuffix(iter.Val(), ":hist"):
				hist.Add(n)
			case strings.HasSuffix(iter.Val(), "}"):
				hashes.Add(n)
			}
		}
		return iter.Err()
	}
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		_ = c.ForEachMaster(ctx, countNode)
	case *redis.Client:
		_ = countNode(ctx, c)
	}
	per := func(v *atomic.Int64) float64 { return float64(v.Load()) / float64(st.requests) }
	t.Logf("%d requests, %d integrations, %d connector calls in %v (%.0f calls/s); per request %.1f keys, %.0f bytes (hash %.0f, history %.0f)",
		st.requests, st.integrations, st.calls, st.elapsed.Round(time.Millisecond), float64(st.calls)/st.elapsed.Seconds(),
		per(&keys), per(&bytes), per(&hashes), per(&hist))
}

func TestMixedRun(t *testing.T) {
	rs := testredis.Start(t)
	m, st := runMixed(t, rs.Client, 1, 200)
	reportMixed(t, rs.Client, m, st)
}

// TestTwoEngines runs the mixed load through two engines sharing one
// Redis: all work finishes, no attempt runs twice at once, and every
// integration has exactly one terminal transition.
func TestTwoEngines(t *testing.T) {
	rs := testredis.Start(t)
	m, st := runMixed(t, rs.Client, 2, 200)
	reportMixed(t, rs.Client, m, st)
}

// TestMixedRunOnCluster is the mixed run with two engines on a
// three-master Redis Cluster.
func TestMixedRunOnCluster(t *testing.T) {
	c := testredis.StartCluster(t)
	m, st := runMixed(t, c.Client, 2, 200)
	reportMixed(t, c.Client, m, st)
}
