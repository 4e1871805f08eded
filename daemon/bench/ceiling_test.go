package bench

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// ceilingSide is the floor plus the one thing an engine that keeps every
// job's outcome cannot skip: each task makes the floor's bare plugin call
// and then one store commit of a finished access job, the commit the
// daemon makes for it (the integration Complete and the request in Reply,
// its result, four history entries, its status, stage and attention
// index entries; see the daemon's commit script). It reads nothing: the
// requests are written and read before the clock runs, so it has no load,
// no engine and no flow control. Its rate against the floor is the most
// row 1's ratio can reach on this machine with one durable commit a job.
type ceilingSide struct {
	floor *floorSide
	store *store.Store
}

// newCeiling stores its requests under their own prefix, apart from the
// daemon's.
func newCeiling(b testing.TB, floor *floorSide, rdb redis.UniversalClient) *ceilingSide {
	b.Helper()
	raw, err := base64.StdEncoding.DecodeString(benchKey)
	must(b, err)
	key, err := seal.NewKey(raw)
	must(b, err)
	ring, err := seal.NewKeyRing(key)
	must(b, err)
	return &ceilingSide{floor: floor, store: store.New(rdb, "ceiling", ring)}
}

// run writes n requests in Process, each with one Pending integration,
// then runs n tasks in queue (as floorSide.run), task i finishing
// request i.
func (c *ceilingSide) run(b testing.TB, rdb redis.UniversalClient, queue string, n int) (rate float64, cpu time.Duration, split string) {
	b.Helper()
	snaps := make([]*store.Snapshot, n)
	parallel(b, n, func(i int) (err error) {
		snaps[i], err = c.open(context.Background(), i)
		return err
	})
	handler := asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		i, err := strconv.Atoi(string(t.Payload()))
		if err != nil || i < 0 || i >= n {
			return fmt.Errorf("task payload %q: %w", t.Payload(), asynq.SkipRetry)
		}
		if _, err := c.floor.echoer.Echo(ctx, echoPayload); err != nil {
			return err
		}
		_, err = c.store.Commit(ctx, c.finish(snaps[i]))
		return err
	})
	stop := phaseProfile(b, rdb, "."+queue)
	rate, cpu, splits := asynqRun(b, rdb, queue, n, handler)
	stop()
	return rate, cpu, perJob(asClient(splits[1]), asClient(splits[0]), n)
}

// open writes request i as the daemon's Create leaves an access request
// with one synchronous integration, and reads it back.
func (c *ceilingSide) open(ctx context.Context, i int) (*store.Snapshot, error) {
	now := time.Now()
	r := &store.Request{ID: ulid.Make().String(), Type: sdk.RequestAccess, Subject: sdk.Subject{Email: fmt.Sprintf("subject-%d@example.com", i)},
		Source: "manual", CreatedAt: now, DueAt: now.Add(45 * 24 * time.Hour), Stage: state.StageProcess}
	tx := c.store.NewTx(r.ID)
	tx.PutRequest(r)
	tx.PutIntegration(&store.Integration{Name: "crm", Type: sdk.SynchronousAPI, Workflow: state.Extracting, Status: state.Pending, UpdatedAt: now})
	tx.Attend(state.Extracting, "crm", now.Add(time.Hour))
	tx.Append(store.Event{Time: now, Kind: "request.created", Actor: "bench", Message: "Request created"})
	if _, err := c.store.Commit(ctx, tx); err != nil {
		return nil, fmt.Errorf("open request %d: %w", i, err)
	}
	return c.store.Load(ctx, r.ID)
}

// finish is the commit of snap's job answering "no records".
func (c *ceilingSide) finish(snap *store.Snapshot) *store.Tx {
	now := time.Now()
	it := snap.Integration(state.Extracting, "crm").Clone()
	it.Status, it.Attempt, it.UpdatedAt = state.Complete, 1, now
	r := *snap.Request
	r.Stage = state.StageReply
	tx := c.store.NewTx(r.ID)
	tx.PutIntegration(it)
	tx.PutResult(state.Extracting, "crm", &store.Result{}, 0)
	tx.PutRequest(&r)
	tx.Unattend(state.Extracting, "crm")
	tx.UnattendRequest()
	for _, m := range []string{"Attempt 1", "Processing Request submitted", "Complete No records found", "Reply"} {
		tx.Append(store.Event{Time: now, Kind: "integration.state", Actor: "system", Integration: "crm", Message: m,
			Attributes: map[string]string{"status": "complete", "attempt": "1"}})
	}
	return tx
}
