package engine

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// CreateInput files a request.
type CreateInput struct {
	Type    sdk.RequestType
	Subject sdk.Subject
	// Details is what the subject reported.
	Details string
	// Source is where the request came from ("manual", "privacy_center");
	// default "manual".
	Source       string
	SourceDetail string
	// Actor is the admin token's name, recorded in history.
	Actor string
	// ReceivedAt is when the request arrived, if before now (a privacy
	// center form verified later); VerifiedAt when the subject's identity
	// was confirmed; AcknowledgedAt when receipt was acknowledged. They
	// set when the deadline's clock starts (see RequestTypeSpec).
	ReceivedAt, VerifiedAt, AcknowledgedAt time.Time
}

// Reply is the answer sent to the subject, recorded (sealed) in history.
type Reply struct {
	Subject string
	Body    string
}

// Create files a request in Review, or straight in Process when its type
// auto-approves. Its integrations start Not Started (or "Will process in a
// workflow" behind a dependency).
func (e *Engine) Create(ctx context.Context, in CreateInput) (*Request, error) {
	if !slices.Contains(RequestTypes(), in.Type) {
		return nil, fmt.Errorf("request type %q: %w", in.Type, ErrInvalidArgument)
	}
	if _, err := mail.ParseAddress(in.Subject.Email); err != nil || strings.ContainsAny(in.Subject.Email, "<> ") {
		return nil, fmt.Errorf("subject email is missing or not an address: %w", ErrInvalidArgument)
	}
	if in.Source == "" {
		in.Source = "manual"
	}
	cfg := e.config()
	now := e.now()
	rt := cfg.types[in.Type]
	id := e.newID(now)
	start := rt.clockStart(in, now)
	req := &store.Request{
		ID: id, Type: in.Type, Subject: in.Subject, Details: in.Details,
		Source: in.Source, SourceDetail: in.SourceDetail,
		CreatedAt: now, DueAt: rt.due(start), Stage: state.StageReview,
	}
	created := map[string]string{
		"type": string(in.Type), "source": in.Source,
		"due_at": req.DueAt.Format(time.RFC3339),
	}
	rt.createdAttributes(in, start, created)
	tx := e.store.NewTx(id)
	tx.AddLookup("email", in.Subject.Email)
	tx.Append(store.Event{
		Time: now, Kind: EventRequestCreated, Actor: actorOr(in.Actor),
		Message: "Request created", Attributes: created,
	})
	its, manual := plan(cfg, in.Type)
	for _, it := range its {
		it.UpdatedAt = now
		tx.PutIntegration(it)
		tx.Append(stateEvent(it, now, ActorSystem))
	}
	for _, m := range manual {
		tx.PutManual(m)
	}
	if rt.AutoApprove {
		req.Stage = state.StageProcess
		req.Workflow = firstWorkflow(in.Type)
		tx.Append(stageEvent(state.StageReview, state.StageProcess, now, ActorSystem))
		if req.Workflow != state.WorkflowNone {
			tx.Append(workflowEvent(state.WorkflowNone, req.Workflow, now))
		}
	}
	tx.PutRequest(req)
	var st step
	moved := false
	if rt.AutoApprove {
		// Starting the integrations goes in the same commit.
		st, moved = e.advance(&store.Snapshot{Request: req, Integrations: its, Manual: manual}, tx, now)
	}
	e.attend(nil, tx)
	if _, err := e.store.Commit(ctx, tx); err != nil {
		return nil, fmt.Errorf("create request: %w", err)
	}
	if err := e.moveOn(ctx, id, st, moved); err != nil {
		return nil, err
	}
	return e.Get(ctx, id)
}

// plan lists the integrations (per workflow state) and manual tasks a
// request of type rt runs, in configuration order.
func plan(cfg *compiled, rt sdk.RequestType) ([]*store.Integration, []*store.ManualTask) {
	var its []*store.Integration
	for _, w := range state.Workflows(rt) {
		var names []string
		for _, s := range cfg.integrations {
			if state.Runs(rt, w, s.Type, s.Capabilities) {
				names = append(names, s.Name)
			}
		}
		for order, s := range cfg.integrations {
			if !slices.Contains(names, s.Name) {
				continue
			}
			it := &store.Integration{
				Name: s.Name, Category: s.Category, Type: s.Type, Workflow: w, Order: order,
				Status: state.NotStarted,
			}
			// Only dependencies that run in the same workflow state hold
			// an integration back.
			for _, d := range s.DependsOn {
				if slices.Contains(names, d) {
					it.DependsOn = append(it.DependsOn, d)
				}
			}
			if len(it.DependsOn) > 0 {
				it.Detail = state.DetailWillProcess
			}
			its = append(its, it)
		}
	}
	var manual []*store.ManualTask
	for order, m := range cfg.manual {
		if slices.Contains(m.RequestTypes, rt) {
			manual = append(manual, &store.ManualTask{Name: m.Name, Category: m.Category, Instructions: m.Instructions, Order: order})
		}
	}
	return its, manual
}

func firstWorkflow(rt sdk.RequestType) state.Workflow {
	if ws := state.Workflows(rt); len(ws) > 0 {
		return ws[0]
	}
	return state.WorkflowNone
}

// Approve moves a request from Review to Process. sources names the
// integrations and manual data sources to run; empty runs all applicable.
// The first move of Process (starting the integrations) goes in the same
// commit.
func (e *Engine) Approve(ctx context.Context, id, actor string, sources []string) (*Request, error) {
	var st step
	moved := false
	_, err := e.update(ctx, id, func(snap *store.Snapshot, tx *store.Tx) error {
		r := snap.Request
		if r.Stage != state.StageReview {
			return fmt.Errorf("request %s is in %s, not Review: %w", id, r.Stage, ErrFailedPrecondition)
		}
		if err := knownSources(snap, sources); err != nil {
			return err
		}
		now := e.now()
		next := r.Clone()
		next.Stage = state.StageProcess
		next.Workflow = firstWorkflow(r.Type)
		next.Selected = slices.Clone(sources)
		tx.Append(store.Event{
			Time: now, Kind: EventApprove, Actor: actorOr(actor), Message: "Request approved",
			Attributes: map[string]string{"sources": strings.Join(sources, ",")},
		})
		after := selectSources(snap, sources, tx, now, actor)
		after.Request = next
		tx.Append(stageEvent(state.StageReview, state.StageProcess, now, actor))
		if next.Workflow != state.WorkflowNone {
			tx.Append(workflowEvent(state.WorkflowNone, next.Workflow, now))
		}
		tx.PutRequest(next)
		st, moved = e.advance(after, tx, now)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("approve request %s: %w", id, err)
	}
	if err := e.moveOn(ctx, id, st, moved); err != nil {
		return nil, err
	}
	return e.Get(ctx, id)
}

// moveOn runs what follows a commit that made a progress step: the jobs
// it started, and another step when one may be possible.
func (e *Engine) moveOn(ctx context.Context, id string, st step, moved bool) error {
	e.enqueueStarted(ctx, st)
	if moved && st.more() {
		return e.progress(ctx, id)
	}
	return nil
}

func knownSources(snap *store.Snapshot, sources []string) error {
	known := map[string]bool{}
	for _, it := range snap.Integrations {
		known[it.Name] = true
	}
	for _, m := range snap.Manual {
		known[m.Name] = true
	}
	for _, s := range sources {
		if !known[s] {
			return fmt.Errorf("%q is not a data source of this request: %w", s, ErrInvalidArgument)
		}
	}
	return nil
}

// selectSources stages in tx the removal of the data sources not selected (none
// when sources is empty) and returns the request's integrations and manual
// tasks as they stand after it.
func selectSources(snap *store.Snapshot, sources []string, tx *store.Tx, now time.Time, actor string) *store.Snapshot {
	after := &store.Snapshot{Request: snap.Request}
	if len(sources) == 0 {
		after.Integrations, after.Manual = snap.Integrations, snap.Manual
		return after
	}
	for _, it := range snap.Integrations {
		if !slices.Contains(sources, it.Name) {
			tx.DeleteIntegration(it)
			tx.Append(integrationEvent(EventSourceRemoved, it, now, actor, "Not selected", nil))
			continue
		}
		// A dependency that was not selected no longer holds it back.
		kept := slices.DeleteFunc(slices.Clone(it.DependsOn), func(d string) bool { return !slices.Contains(sources, d) })
		if len(kept) == len(it.DependsOn) {
			after.Integrations = append(after.Integrations, it)
			continue
		}
		n := it.Clone()
		n.DependsOn = kept
		if len(kept) == 0 && n.Detail == state.DetailWillProcess {
			n.Detail = state.DetailNone
		}
		n.UpdatedAt = now
		tx.PutIntegration(n)
		if n.Detail != it.Detail {
			tx.Append(stateEvent(n, now, actor))
		}
		after.Integrations = append(after.Integrations, n)
	}
	for _, m := range snap.Manual {
		if slices.Contains(sources, m.Name) {
			after.Manual = append(after.Manual, m)
		} else {
			tx.DeleteManual(m)
		}
	}
	return after
}

// Reject closes a request in Review. reason is recorded (sealed) in
// history; reply, when given, is the answer sent to the subject.
func (e *Engine) Reject(ctx context.Context, id, actor, reason string, reply Reply) (*Request, error) {
	_, err := e.update(ctx, id, func(snap *store.Snapshot, tx *store.Tx) error {
		r := snap.Request
		if r.Stage != state.StageReview {
			return fmt.Errorf("request %s is in %s, not Review: %w", id, r.Stage, ErrFailedPrecondition)
		}
		now := e.now()
		ev := store.Event{Time: now, Kind: EventReject, Actor: actorOr(actor), Message: "Request rejected"}
		if reason != "" {
			ev.Sealed = map[string]string{"reason": reason}
		}
		tx.Append(ev)
		// Integrations of a rejected request never ran: drop them so none
		// shows as waiting.
		for _, it := range snap.Integrations {
			tx.DeleteIntegration(it)
		}
		appendReply(tx, reply, now, actor)
		next := r.Clone()
		next.Stage, next.Outcome, next.ClosedAt = state.StageClosed, state.OutcomeRejected, now
		next.Workflow = state.WorkflowNone
		tx.Append(stageEvent(r.Stage, state.StageClosed, now, actor))
		tx.PutRequest(next)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reject request %s: %w", id, err)
	}
	return e.Get(ctx, id)
}

// appendReply records the reply sent to the subject; its text is personal
// data and sealed.
func appendReply(tx *store.Tx, reply Reply, now time.Time, actor string) {
	if reply.Subject == "" && reply.Body == "" {
		return
	}
	tx.Append(store.Event{
		Time: now, Kind: EventReplySent, Actor: actorOr(actor), Message: "Reply sent",
		Sealed: map[string]string{"subject": reply.Subject, "body": reply.Body},
	})
}

// ApproveDeletion lets a request held in Pending Delete (under
// require_deletion_approval) go on.
func (e *Engine) ApproveDeletion(ctx context.Context, id, actor string) (*Request, error) {
	var st step
	moved := false
	_, err := e.update(ctx, id, func(snap *store.Snapshot, tx *store.Tx) error {
		r := snap.Request
		if r.Stage != state.StageProcess || r.Workflow != state.PendingDelete || !r.AwaitingDeletionApproval {
			return fmt.Errorf("request %s is not waiting for deletion approval: %w", id, ErrFailedPrecondition)
		}
		now := e.now()
		next := r.Clone()
		next.AwaitingDeletionApproval = false
		tx.Append(store.Event{Time: now, Kind: EventApproveDeletion, Actor: actorOr(actor), Message: "Deletion approved"})
		tx.PutRequest(next)
		// The move the approval allows goes in the same commit.
		st, moved = e.advance(&store.Snapshot{Request: next, Integrations: snap.Integrations, Manual: snap.Manual}, tx, now)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("approve deletion for request %s: %w", id, err)
	}
	if err := e.moveOn(ctx, id, st, moved); err != nil {
		return nil, err
	}
	return e.Get(ctx, id)
}

// Close answers the subject and closes a request in Reply. The reply's
// subject and body are recorded (sealed) in history; sending it is the
// caller's. Results are purged results_retention from now.
func (e *Engine) Close(ctx context.Context, id, actor string, reply Reply) (*Request, error) {
	_, err := e.update(ctx, id, func(snap *store.Snapshot, tx *store.Tx) error {
		r := snap.Request
		if r.Stage != state.StageReply {
			return fmt.Errorf("request %s is in %s, not Reply: %w", id, r.Stage, ErrFailedPrecondition)
		}
		now := e.now()
		appendReply(tx, reply, now, actor)
		for _, it := range snap.Integrations {
			tx.ExpireResult(it.Workflow, it.Name, e.opts.ResultsRetention)
		}
		tx.Append(store.Event{
			Time: now, Kind: EventResultsPurge, Actor: ActorSystem, Message: "Results will be purged",
			Attributes: map[string]string{"purge_at": now.Add(e.opts.ResultsRetention).Format(time.RFC3339)},
		})
		next := r.Clone()
		next.Stage, next.Outcome, next.ClosedAt = state.StageClosed, state.OutcomeCompleted, now
		// The request metrics (report.go) keep how it was answered.
		tx.SetCompliance(store.ComplianceOf(snap))
		tx.Append(stageEvent(r.Stage, state.StageClosed, now, actor))
		tx.PutRequest(next)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("close request %s: %w", id, err)
	}
	return e.Get(ctx, id)
}
