package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// The commit grace period: a call that answers within it commits its
// start and its outcome in one compare-and-set; a slower one is shown as
// Processing when it ends; a stop in between makes the answer late.

// graceHarness is one engine, not started, over crm, with the clock
// following real time so that history entries carry their own times.
func graceHarness(t *testing.T, crm *fake, grace time.Duration) *harness {
	t.Helper()
	rs := testredis.Start(t)
	cfg := Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}}
	h := newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"crm": crm}, 1, func(o *Options) { o.CommitGrace = grace })
	h.clock.Follow(t)
	return h
}

// graceRun approves an access request over crm and starts the engine:
// the harness, the request and how many times crm's state had been
// written before its job ran.
func graceRun(t *testing.T, crm *fake, grace time.Duration) (*harness, string, int64) {
	t.Helper()
	h := graceHarness(t, crm, grace)
	id := h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	before := h.writes(id)
	h.start()
	return h, id, before
}

// writes is how many times crm's state on request id has been written
// (its version), read straight from the store.
func (h *harness) writes(id string) int64 {
	h.t.Helper()
	snap, err := h.e().store.Load(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	it := snap.Integration(state.Extracting, "crm")
	if it == nil {
		h.t.Fatal("crm is not on the request")
	}
	return it.Version
}

// stateEntries returns crm's state-change history entries in order.
func (h *harness) stateEntries(id string) []Event {
	h.t.Helper()
	var out []Event
	for _, ev := range h.history(id) {
		if ev.Kind == EventIntegrationState && ev.Integration == "crm" {
			out = append(out, ev)
		}
	}
	return out
}

// checkProcessingThenComplete checks crm's history reads Not Started,
// Pending, Processing, then complete, the Processing entry strictly before the
// Complete one and not before the call was made.
func checkProcessingThenComplete(t *testing.T, h *harness, id string, called time.Time, complete string) {
	t.Helper()
	evs := h.stateEntries(id)
	var labels []string
	for _, ev := range evs {
		labels = append(labels, ev.Message)
	}
	want := []string{"Not Started", "Pending", "Processing Request submitted", complete}
	if !equalStrings(labels, want) {
		t.Fatalf("crm's history %q, want %q", labels, want)
	}
	processing, done := evs[2].Time, evs[3].Time
	if !processing.Before(done) {
		t.Errorf("Processing at %v, not before Complete at %v", processing, done)
	}
	if processing.After(called) {
		t.Errorf("Processing at %v, after the call was made at %v", processing, called)
	}
}

func TestCallWithinGraceCommitsStartAndOutcomeOnce(t *testing.T) {
	called := make(chan time.Time, 1)
	crm := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		called <- time.Now().UTC()
		time.Sleep(30 * time.Millisecond) // the clock moves between start and answer
		return records(2), nil
	}}
	h, id, before := graceRun(t, crm, 30*time.Second)
	h.waitLabel(id, state.Extracting, "crm", "Complete 2 records found")
	h.waitStage(id, state.StageReply)
	if got := h.writes(id) - before; got != 1 {
		t.Errorf("crm's state written %d times by its job, want 1 (start and outcome in one commit)", got)
	}
	checkProcessingThenComplete(t, h, id, <-called, "Complete 2 records found")
	if n := crm.calls.Load(); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestSlowCallIsProcessingWhileItRuns(t *testing.T) {
	called := make(chan time.Time, 1)
	answer := make(chan struct{})
	crm := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		called <- time.Now().UTC()
		<-answer
		return records(1), nil
	}}
	h, id, before := graceRun(t, crm, 50*time.Millisecond)
	at := <-called
	h.waitLabel(id, state.Extracting, "crm", "Processing Request submitted")
	if got := h.writes(id) - before; got != 1 {
		t.Errorf("crm's state written %d times while its call hangs, want 1 (the start)", got)
	}
	close(answer)
	h.waitLabel(id, state.Extracting, "crm", "Complete 1 records found")
	h.waitStage(id, state.StageReply)
	if got := h.writes(id) - before; got != 2 {
		t.Errorf("crm's state written %d times by its job, want 2 (start, then outcome)", got)
	}
	checkProcessingThenComplete(t, h, id, at, "Complete 1 records found")
}

// TestEndInGracePeriodRejectsTheLateAnswer: a stop or a skip while the
// call runs, before its start is committed, ends the integration; the
// answer that comes after is noted as rejected, never committed, and the
// attempt's start is not committed over the stop.
func TestEndInGracePeriodRejectsTheLateAnswer(t *testing.T) {
	stop := func(e *Engine, id string) error { _, err := e.Stop(context.Background(), id, "crm", "ops"); return err }
	skip := func(e *Engine, id string) error { _, err := e.Skip(context.Background(), id, "crm", "ops"); return err }
	for _, tc := range []struct {
		name  string
		end   func(e *Engine, id string) error
		label string
		grace time.Duration
		// answerLate holds the answer until well after the grace period,
		// so the start is decided (and refused) before the answer comes.
		answerLate bool
	}{
		{"stop", stop, "Complete Stopped processing", time.Minute, false},
		{"skip", skip, "Complete Access skipped", time.Minute, false},
		{"stop, answer after the grace period", stop, "Complete Stopped processing", 200 * time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			called := make(chan struct{}, 1)
			answer := make(chan struct{})
			// The vendor did the work whatever the daemon's context says.
			crm := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
				called <- struct{}{}
				<-answer
				return records(3), nil
			}}
			h := graceHarness(t, crm, tc.grace)
			id := h.create(sdk.RequestAccess, "ada@example.com")
			h.approve(id)
			h.start()
			<-called
			if got := h.label(id, state.Extracting, "crm"); got != "Pending" && !tc.answerLate {
				t.Fatalf("crm is %q while its call runs in the grace period, want Pending (nothing committed yet)", got)
			}
			if err := tc.end(h.e(), id); err != nil {
				t.Fatal(err)
			}
			if tc.answerLate {
				// Only orders the answer after the grace timer; should the
				// machine be too slow for the stop to land within the grace
				// period, the stop finds Processing and the answer is late
				// all the same.
				time.Sleep(5 * tc.grace)
			}
			close(answer)
			waitFor(t, "the late answer to be noted", func() (bool, string) {
				for _, ev := range h.history(id) {
					if ev.Kind == EventResultRejected && ev.Integration == "crm" {
						return true, ""
					}
				}
				return false, "no rejection in history"
			})
			if got := h.label(id, state.Extracting, "crm"); got != tc.label {
				t.Errorf("crm is %q after the late answer, want %q", got, tc.label)
			}
			h.waitStage(id, state.StageReply)
			for _, ev := range h.stateEntries(id) {
				if ev.Message == "Processing Request submitted" || ev.Message == "Complete 3 records found" {
					t.Errorf("the stopped attempt's %q was committed", ev.Message)
				}
			}
			res, err := h.e().store.Results(context.Background(), id, []store.ResultKey{{Workflow: state.Extracting, Name: "crm"}})
			if err != nil {
				t.Fatal(err)
			}
			if r := res[store.ResultKey{Workflow: state.Extracting, Name: "crm"}]; r != nil {
				t.Errorf("the late answer's records were stored: %d", len(r.Records))
			}
		})
	}
}

// roundTrips counts the round trips to Redis (a pipeline is one) that
// touch one request's keys.
type roundTrips struct {
	mu    sync.Mutex
	match string // the request's hash tag
	n     int
}

func (c *roundTrips) see(cmds ...redis.Cmder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.match == "" {
		return
	}
	for _, cmd := range cmds {
		for _, a := range cmd.Args() {
			if s, ok := a.(string); ok && strings.Contains(s, c.match) {
				c.n++
				return
			}
		}
	}
}

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.see(cmd); return next(ctx, cmd) }
}
func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { c.see(cmds...); return next(ctx, cmds) }
}

// TestGraceSavesARoundTripPerJob counts the round trips one job of a call
// answering at once makes to its request's keys (read, commits): one
// fewer with the grace period than when the start is committed first.
func TestGraceSavesARoundTripPerJob(t *testing.T) {
	rs := testredis.Start(t)
	perJob := func(grace time.Duration) int {
		counter := &roundTrips{}
		rdb := redis.NewClient(rs.Client.Options())
		rdb.AddHook(counter)
		t.Cleanup(func() { _ = rdb.Close() })
		crm := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }}
		cfg := Config{Integrations: []IntegrationSpec{spec("crm", sdk.SynchronousAPI, accessOnly)}}
		h := newHarness(t, rdb, cfg, map[string]sdk.Remote{"crm": crm}, 1, func(o *Options) { o.CommitGrace = grace })
		id := h.create(sdk.RequestAccess, "ada@example.com")
		h.approve(id)
		counter.mu.Lock()
		counter.match = "{" + id + "}"
		counter.mu.Unlock()
		h.start()
		// Wait through a client of its own, so the waiting is not counted.
		insp := asynq.NewInspectorFromRedisClient(rs.Client)
		waitFor(t, "the job to finish", func() (bool, string) {
			q, err := insp.GetQueueInfo(h.e().queueOf("crm"))
			if err != nil {
				return false, err.Error()
			}
			return q.Pending+q.Active+q.Scheduled+q.Retry == 0 && q.Processed >= 1, fmt.Sprintf("%+v", q)
		})
		counter.mu.Lock()
		n := counter.n
		counter.match = ""
		counter.mu.Unlock()
		if got := h.label(id, state.Extracting, "crm"); got != "Complete 1 records found" {
			t.Fatalf("crm is %q", got)
		}
		h.e().Shutdown()
		return n
	}
	with, without := perJob(time.Minute), perJob(-1)
	t.Logf("round trips to the request's keys per job: %d with the grace period, %d without", with, without)
	if with != without-1 {
		t.Errorf("%d round trips with the grace period, %d without: want one fewer", with, without)
	}
}

// TestDirectContactAnswerDuringTheCall: a Direct Contact call emails the
// processor a link, and the processor may answer through it before the
// call returns. The answer must find the integration Processing (no
// grace period holds its start back) and complete it; the call's own
// outcome, coming after, is late.
func TestDirectContactAnswerDuringTheCall(t *testing.T) {
	rs := testredis.Start(t)
	var h *harness
	var id string
	answered := make(chan error, 1)
	acme := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
		// The processor follows the link at once, before the email
		// connector's call has returned.
		_, err := h.e().Answer(context.Background(), AnswerInput{RequestID: id, Integration: "acme", Workflow: state.Extracting, Answer: AnswerNoFiles})
		answered <- err
		return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "h0", PollAfter: time.Hour}}, nil
	}}
	cfg := Config{Integrations: []IntegrationSpec{spec("acme", sdk.DirectContact, both, onNoResponse(Block))}}
	h = newHarness(t, rs.Client, cfg, map[string]sdk.Remote{"acme": acme}, 1, func(o *Options) { o.CommitGrace = time.Minute })
	h.clock.Follow(t)
	id = h.create(sdk.RequestAccess, "ada@example.com")
	h.approve(id)
	h.start()
	if err := <-answered; err != nil {
		t.Fatalf("the answer given while the call ran was refused: %v", err)
	}
	h.waitLabel(id, state.Extracting, "acme", "Complete No files uploaded")
	h.waitStage(id, state.StageReply)
}
