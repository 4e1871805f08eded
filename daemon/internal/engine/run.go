package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// handleRun runs one attempt of an integration: it reads the request
// once, calls Access or Delete, and commits the outcome. Which tasks are
// accepted is the state machine's (decideStart); a task that comes before
// its integration's transient wait is over, or while its plugin is
// restarting, is handed to a later task without a state change.
//
// A call that answers within CommitGrace commits its start ("Processing
// Request submitted") and its outcome together, one compare-and-set, each
// history entry with its own time. A slower call has its start committed
// when the grace period ends, while it runs, and its outcome when it
// answers, so a call in flight is always visible as Processing after at
// most the grace period. Either commit is guarded like any other: a stop,
// skip or retry that came meanwhile makes the answer late, noted and not
// committed. A crash before the start is committed leaves the integration
// Pending with nothing written; the task is delivered again and the call
// made again under the same idempotency key.
func (e *Engine) handleRun(ctx context.Context, t *asynq.Task) error {
	j, w, err := decodeJob(t)
	if err != nil {
		return err
	}
	up, at, loop := e.ready(j.Integration)
	if !up && loop == nil {
		return e.reschedule(ctx, taskRun, j, time.Until(at))
	}
	// Flow control next, its script sent with the request's read: a job
	// that must wait goes back to the queue before anything is written,
	// so it counts no attempt.
	ask := e.ask(j, taskRun)
	snap, lerr := e.loadWith(ctx, j.Request, func(p redis.Pipeliner) { ask.Queue(ctx, p) })
	permit, err := e.admitted(ctx, j, taskRun, ask)
	if err != nil {
		return err
	}
	defer e.release(permit)
	if lerr != nil {
		return fmt.Errorf("start attempt: %w", lerr)
	}
	started := e.now()
	d := decide(snap.Integration(w, j.Integration), event{kind: trStart, now: started, stage: snap.Request.Stage, job: j}, e.policy(j.Integration))
	switch {
	case d.err != nil:
		return fmt.Errorf("start attempt: %w", d.err)
	case !d.notBefore.IsZero():
		return e.reschedule(ctx, taskRun, j, until(e.now(), d.notBefore))
	case !d.accepted:
		return nil
	}
	it := d.next
	call := func(ctx context.Context) outcome {
		spec, ok := e.spec(j.Integration)
		switch {
		case !ok:
			return outcome{err: sdk.Errorf(sdk.ErrorInvalidConfig, "integration %q is no longer configured", j.Integration).
				WithRemediation("Add the integration back to the configuration, or stop or skip it on this request.")}
		case loop != nil:
			return outcome{err: loop, final: true}
		}
		return e.call(ctx, snap, it, spec)
	}
	return e.runCall(ctx, j, w, snap, started, e.commitGrace(it), call, func() { e.release(permit) })
}

// commitGrace is how long a run task may hold back its start's commit
// for it. None for Direct Contact: its call emails the processor a link,
// and an answer through it may come before the call returns; the answer
// is accepted only once the integration is recorded as Processing.
func (e *Engine) commitGrace(it *store.Integration) time.Duration {
	if it.Type == sdk.DirectContact {
		return 0
	}
	return e.opts.CommitGrace
}

// runCall makes a run task's call and commits its start and outcome,
// together when the call answers within CommitGrace (see handleRun).
// release frees the call's flow-control slot once it has answered.
func (e *Engine) runCall(ctx context.Context, j jobRef, w state.Workflow, snap *store.Snapshot, started time.Time,
	grace time.Duration, call func(context.Context) outcome, release func()) error {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan outcome, 1)
	if grace > 0 {
		e.kept.Go(func() { done <- call(cctx) })
		timer := time.NewTimer(grace)
		select {
		case out := <-done:
			timer.Stop()
			release()
			answered := e.now()
			return e.interruptible(ctx, j, out, func(cctx context.Context) error {
				_, _, err := e.transition(cctx, j.Request, w, j.Integration, snap, func(s *store.Snapshot) event {
					return event{kind: trCall, started: started, now: answered, stage: s.Request.Stage, job: j, out: out}
				})
				if err != nil {
					return fmt.Errorf("commit call of %s: %w", j.Integration, err)
				}
				return nil
			})
		case <-timer.C:
		}
	}
	// Like the outcome's, this commit is not cut short by a stop that
	// came in the grace period: it finds the stop and commits nothing.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer scancel()
	d, cur, err := e.transition(sctx, j.Request, w, j.Integration, snap, func(s *store.Snapshot) event {
		return event{kind: trStart, now: started, stage: s.Request.Stage, job: j}
	})
	if err != nil {
		if grace > 0 {
			// The call is under way: end it before the task is run again.
			cancel()
			<-done
		}
		return fmt.Errorf("start attempt: %w", err)
	}
	var read *store.Snapshot
	switch {
	case d.accepted:
		read = withIntegration(cur, d.next)
	case grace <= 0:
		return nil // no call made
	}
	// A start no longer accepted (a stop or skip came in the grace
	// period) leaves read nil: the answer is decided on a fresh read and
	// rejected as late.
	if grace <= 0 {
		done <- call(cctx)
	}
	out := <-done
	release()
	return e.finishInterruptible(ctx, j, w, store.PhaseCall, read, out)
}

// withIntegration returns snap with it, just committed, in place of the
// integration of the same workflow state and name: the request as it
// stood after that commit, as far as that integration goes.
func withIntegration(snap *store.Snapshot, it *store.Integration) *store.Snapshot {
	out := *snap
	out.Integrations = slices.Clone(snap.Integrations)
	for i, cur := range out.Integrations {
		if cur.Workflow == it.Workflow && cur.Name == it.Name {
			out.Integrations[i] = it
		}
	}
	return &out
}

// outcome is what a connector call came to.
type outcome struct {
	access  *sdk.AccessResponse
	del     *sdk.DeleteResponse
	records int // records given to Delete, for complete_on_submit
	err     error
	// final marks an error that ends the attempt at once: no transient
	// wait, no poll again.
	final bool
}

func (o outcome) pending() *sdk.Pending {
	switch {
	case o.access != nil:
		return o.access.Pending
	case o.del != nil:
		return o.del.Pending
	}
	return nil
}

// call makes the connector call for an attempt: Access while extracting,
// Delete in Pending Delete.
func (e *Engine) call(ctx context.Context, snap *store.Snapshot, it *store.Integration, spec IntegrationSpec) (out outcome) {
	remote, ok := e.conns.Connector(it.Name)
	if !ok || remote == nil {
		return outcome{err: sdk.Errorf(sdk.ErrorUnavailable, "no connector is running for integration %q", it.Name).
			WithRemediation("Check the plugin's health in the data inventory; the daemon restarts plugins that exit.")}
	}
	job, err := e.job(ctx, snap, it)
	if err != nil {
		return outcome{err: err}
	}
	cctx, cancel := context.WithTimeout(ctx, e.callTimeout(it.Name))
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("connector call panicked", "integration", it.Name)
			out = outcome{err: sdk.Errorf(sdk.ErrorInternal, "the connector call failed unexpectedly")}
		}
	}()
	switch it.Workflow {
	case state.Extracting:
		resp, err := remote.Access(cctx, &sdk.AccessRequest{Job: job})
		return checked(outcome{access: resp, err: err})
	default:
		var records []sdk.Record
		if res, err := e.store.Results(ctx, snap.Request.ID, []store.ResultKey{{Workflow: state.Extracting, Name: it.Name}}); err != nil {
			return outcome{err: err}
		} else if r := res[store.ResultKey{Workflow: state.Extracting, Name: it.Name}]; r != nil {
			records = r.Records
		}
		resp, err := remote.Delete(cctx, &sdk.DeleteRequest{Job: job, Records: records})
		return checked(outcome{del: resp, records: len(records), err: err})
	}
}

// checked turns an empty answer into an error.
func checked(o outcome) outcome {
	if o.err == nil && o.access == nil && o.del == nil {
		o.err = sdk.Errorf(sdk.ErrorInternal, "the connector returned no answer")
	}
	return o
}

// job builds what the connector receives: the subject, with identifiers
// found by the integrations this one depends on merged in.
func (e *Engine) job(ctx context.Context, snap *store.Snapshot, it *store.Integration) (sdk.Job, error) {
	r := snap.Request
	subject := r.Subject
	subject.Identifiers = maps.Clone(r.Subject.Identifiers)
	spec, _ := e.spec(it.Name)
	var keys []store.ResultKey
	for _, d := range spec.DependsOn {
		keys = append(keys, store.ResultKey{Workflow: state.Extracting, Name: d}, store.ResultKey{Workflow: state.PendingDelete, Name: d})
	}
	if len(keys) > 0 {
		res, err := e.store.Results(ctx, r.ID, keys)
		if err != nil {
			return sdk.Job{}, err
		}
		for _, k := range keys {
			if found := res[k]; found != nil && len(found.Identifiers) > 0 {
				if subject.Identifiers == nil {
					subject.Identifiers = map[string]string{}
				}
				for name, v := range found.Identifiers {
					// Every value is passed on: the request's own and those
					// of every integration that found this identifier.
					subject.Identifiers[name] = sdk.JoinIdentifierValues(append(sdk.IdentifierValues(subject.Identifiers[name]), sdk.IdentifierValues(v)...))
				}
			}
		}
	}
	job := sdk.Job{
		IdempotencyKey: idempotencyKey(r.ID, it),
		RequestID:      r.ID,
		RequestType:    r.Type,
		Subject:        subject,
		Integration:    it.Name,
	}
	if it.Type == sdk.DirectContact {
		job.RespondBy = it.DueAt
		if e.opts.ResponseURL != nil {
			u, err := e.opts.ResponseURL(ctx, ResponseLink{RequestID: r.ID, Integration: it.Name, Workflow: it.Workflow.Code(), Attempt: it.Attempt, DueAt: it.DueAt})
			if err != nil {
				return sdk.Job{}, sdk.Errorf(sdk.ErrorInternal, "could not make the response link").WithRemediation("Check server.public_url.")
			}
			job.ResponseURL = u
		}
	}
	return job, nil
}

func (e *Engine) spec(name string) (IntegrationSpec, bool) {
	s, ok := e.config().byName[name]
	if !ok {
		return IntegrationSpec{}, false
	}
	return *s, true
}

// specOrDefault returns the integration's spec, or the defaults when it is
// no longer configured.
func (e *Engine) specOrDefault(name string) IntegrationSpec {
	if s, ok := e.spec(name); ok {
		return s
	}
	c, _ := compile(Config{Integrations: []IntegrationSpec{{Name: name, Type: sdk.SynchronousAPI}}})
	return c.integrations[0]
}

// idempotencyKey names the work a job asks for: the request, the workflow
// state and the integration. It is the same on every attempt and every
// delivery of that work, so a connector that already did it (a deletion
// that succeeded just before a crash) can answer as it did then. A Direct
// Contact attempt is new work, though: a new email whose response link
// belongs to that attempt (links of older attempts are refused), so its
// key names the attempt too.
func idempotencyKey(id string, it *store.Integration) string {
	key := id + "/" + it.Workflow.Code() + "/" + it.Name
	if it.Type == sdk.DirectContact {
		key += "/" + strconv.Itoa(it.Attempt)
	}
	return key
}
