package engine

import (
	"strconv"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
)

// Event is one entry of a request's history.
type Event = store.Event

// History event kinds.
const (
	EventRequestCreated   = "request.created"
	EventStageChanged     = "stage.changed"
	EventWorkflowChanged  = "workflow.changed"
	EventIntegrationState = "integration.state"
	EventAttempt          = "integration.attempt"
	EventError            = "integration.error"
	EventPollFailed       = "integration.poll_failed"
	// EventTransient: a call failed for a passing reason; the integration
	// waits in Pending for its next try (attributes type, status_code,
	// next_try_at).
	EventTransient       = "integration.transient_error"
	EventResultRejected  = "integration.result_rejected"
	EventOverdue         = "integration.overdue"
	EventSourceRemoved   = "integration.not_selected"
	EventApprove         = "operator.approve"
	EventReject          = "operator.reject"
	EventApproveDeletion = "operator.approve_deletion"
	EventRetry           = "operator.retry"
	EventStop            = "operator.stop"
	EventSkip            = "operator.skip"
	EventManualCompleted = "manual.completed"
	EventAnswer          = "direct_contact.answer"
	EventReplySent       = "reply.sent"
	EventResultsPurge    = "results.purge_scheduled"
)

// Actors that are not admin tokens.
const (
	ActorSystem        = "system"
	ActorDirectContact = "direct-contact"
)

func actorOr(actor string) string {
	if actor == "" {
		return ActorSystem
	}
	return actor
}

// stateEvent records an integration's new state; its message is the label
// as shown at that moment.
func stateEvent(it *store.Integration, now time.Time, actor string) store.Event {
	st := it.State()
	attrs := map[string]string{
		"status":  st.Status.Code(),
		"attempt": strconv.Itoa(it.Attempt),
	}
	if it.Detail != state.DetailNone {
		attrs["detail"] = it.Detail.Code()
	}
	if it.Detail.Counted() {
		attrs["count"] = strconv.FormatInt(it.Count, 10)
	}
	return store.Event{
		Time: now, Kind: EventIntegrationState, Actor: actorOr(actor),
		Integration: it.Name, Workflow: it.Workflow.Code(),
		Message:    st.Label(now),
		Attributes: attrs,
	}
}

func integrationEvent(kind string, it *store.Integration, now time.Time, actor, msg string, attrs map[string]string) store.Event {
	return store.Event{
		Time: now, Kind: kind, Actor: actorOr(actor),
		Integration: it.Name, Workflow: it.Workflow.Code(),
		Message: msg, Attributes: attrs,
	}
}

func stageEvent(from, to state.Stage, now time.Time, actor string) store.Event {
	return store.Event{
		Time: now, Kind: EventStageChanged, Actor: actorOr(actor),
		Message:    to.String(),
		Attributes: map[string]string{"from": from.Code(), "to": to.Code()},
	}
}

func workflowEvent(from, to state.Workflow, now time.Time) store.Event {
	return store.Event{
		Time: now, Kind: EventWorkflowChanged, Actor: ActorSystem,
		Message:    to.String(),
		Attributes: map[string]string{"from": from.Code(), "to": to.Code()},
	}
}

func errorAttrs(ei *state.ErrorInfo, attempt int, next time.Time) map[string]string {
	a := map[string]string{
		"type":    string(ei.Type),
		"attempt": strconv.Itoa(attempt),
	}
	if ei.StatusCode != 0 {
		a["status_code"] = strconv.Itoa(ei.StatusCode)
	}
	if ei.Remediation != "" {
		a["remediation"] = ei.Remediation
	}
	if !next.IsZero() {
		a["next_attempt_at"] = next.Format(time.RFC3339)
	}
	return a
}
