package api

import (
	"maps"
	"slices"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/sdk"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The enums of the admin API beside the engine's values. Every mapping is
// spelled out rather than relying on equal numbers, so a renumbering on
// either side cannot silently change meaning.
var (
	requestTypes = map[adminv1.RequestType]sdk.RequestType{
		adminv1.RequestType_REQUEST_TYPE_ACCESS:        sdk.RequestAccess,
		adminv1.RequestType_REQUEST_TYPE_DELETION:      sdk.RequestDeletion,
		adminv1.RequestType_REQUEST_TYPE_DO_NOT_SELL:   sdk.RequestDoNotSell,
		adminv1.RequestType_REQUEST_TYPE_DO_NOT_MAIL:   sdk.RequestDoNotMail,
		adminv1.RequestType_REQUEST_TYPE_RIGHT_TO_EDIT: sdk.RequestRightToEdit,
	}
	stages = map[adminv1.Stage]state.Stage{
		adminv1.Stage_STAGE_REVIEW:  state.StageReview,
		adminv1.Stage_STAGE_PROCESS: state.StageProcess,
		adminv1.Stage_STAGE_REPLY:   state.StageReply,
		adminv1.Stage_STAGE_CLOSED:  state.StageClosed,
	}
	workflows = map[adminv1.WorkflowState]state.Workflow{
		adminv1.WorkflowState_WORKFLOW_STATE_EXTRACTING_PERSONAL_DATA: state.Extracting,
		adminv1.WorkflowState_WORKFLOW_STATE_PENDING_DELETE:           state.PendingDelete,
	}
	statuses = map[adminv1.IntegrationStatus]state.Status{
		adminv1.IntegrationStatus_INTEGRATION_STATUS_NOT_STARTED: state.NotStarted,
		adminv1.IntegrationStatus_INTEGRATION_STATUS_PENDING:     state.Pending,
		adminv1.IntegrationStatus_INTEGRATION_STATUS_PROCESSING:  state.Processing,
		adminv1.IntegrationStatus_INTEGRATION_STATUS_ERROR:       state.Error,
		adminv1.IntegrationStatus_INTEGRATION_STATUS_COMPLETE:    state.Complete,
	}
	integrationTypes = map[adminv1.IntegrationType]sdk.IntegrationType{
		adminv1.IntegrationType_INTEGRATION_TYPE_SYNCHRONOUS_API:           sdk.SynchronousAPI,
		adminv1.IntegrationType_INTEGRATION_TYPE_ASYNCHRONOUS_API:          sdk.AsynchronousAPI,
		adminv1.IntegrationType_INTEGRATION_TYPE_WHOLE_RECORD_DELETION_API: sdk.WholeRecordDeletionAPI,
		adminv1.IntegrationType_INTEGRATION_TYPE_DIRECT_CONTACT:            sdk.DirectContact,
	}
	outcomes = map[adminv1.Outcome]state.Outcome{
		adminv1.Outcome_OUTCOME_COMPLETED: state.OutcomeCompleted,
		adminv1.Outcome_OUTCOME_REJECTED:  state.OutcomeRejected,
	}
)

// reverse inverts one of the tables above.
func reverse[K, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

var (
	requestTypesOut     = reverse(requestTypes)
	stagesOut           = reverse(stages)
	workflowsOut        = reverse(workflows)
	statusesOut         = reverse(statuses)
	integrationTypesOut = reverse(integrationTypes)
	outcomesOut         = reverse(outcomes)
)

func timestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func requestToProto(r *engine.Request) *adminv1.Request {
	if r == nil {
		return nil
	}
	out := &adminv1.Request{
		Id:                       r.ID,
		Type:                     requestTypesOut[r.Type],
		Subject:                  subjectToProto(r.Subject),
		Details:                  r.Details,
		Source:                   r.Source,
		SourceDetail:             r.SourceDetail,
		CreatedAt:                timestamp(r.CreatedAt),
		DueAt:                    timestamp(r.DueAt),
		Overdue:                  r.Overdue,
		Stage:                    stagesOut[r.Stage],
		WorkflowState:            workflowsOut[r.Workflow],
		AwaitingDeletionApproval: r.AwaitingDeletionApproval,
		Outcome:                  outcomesOut[r.Outcome],
		ClosedAt:                 timestamp(r.ClosedAt),
		SelectedSources:          slices.Clone(r.SelectedSources),
	}
	for i := range r.Integrations {
		out.Integrations = append(out.Integrations, integrationStateToProto(&r.Integrations[i]))
	}
	for i := range r.ManualTasks {
		out.ManualTasks = append(out.ManualTasks, manualTaskToProto(&r.ManualTasks[i]))
	}
	return out
}

func subjectToProto(s sdk.Subject) *adminv1.Subject {
	return &adminv1.Subject{Email: s.Email, Phone: s.Phone, UserId: s.UserID, Identifiers: maps.Clone(s.Identifiers)}
}

func subjectFromProto(s *adminv1.Subject) sdk.Subject {
	return sdk.Subject{Email: s.GetEmail(), Phone: s.GetPhone(), UserID: s.GetUserId(), Identifiers: maps.Clone(s.GetIdentifiers())}
}

func integrationStateToProto(it *engine.IntegrationState) *adminv1.IntegrationState {
	if it == nil {
		return nil
	}
	return &adminv1.IntegrationState{
		Name:          it.Name,
		Category:      it.Category,
		Type:          integrationTypesOut[it.Type],
		WorkflowState: workflowsOut[it.Workflow],
		Status:        statusesOut[it.Status],
		Detail:        it.Detail,
		Label:         it.Label,
		Attempts:      int32(min(it.Attempts, 1<<31-1)),
		Error:         errorInfoToProto(it.Error),
		NextAttemptAt: timestamp(it.NextAttemptAt),
		UpdatedAt:     timestamp(it.UpdatedAt),
		Count:         it.Count,
		DependsOn:     slices.Clone(it.DependsOn),
		DueAt:         timestamp(it.DueAt),
	}
}

func errorInfoToProto(e *state.ErrorInfo) *adminv1.IntegrationError {
	if e == nil {
		return nil
	}
	return &adminv1.IntegrationError{
		Type:        string(e.Type),
		StatusCode:  int32(e.StatusCode),
		Message:     e.Message,
		Remediation: e.Remediation,
	}
}

func manualTaskToProto(m *engine.ManualTask) *adminv1.ManualTask {
	if m == nil {
		return nil
	}
	return &adminv1.ManualTask{
		Name:         m.Name,
		Category:     m.Category,
		Instructions: m.Instructions,
		Done:         m.Done,
		Note:         m.Note,
		DoneBy:       m.DoneBy,
		DoneAt:       timestamp(m.DoneAt),
	}
}

func eventToProto(ev engine.Event) *adminv1.HistoryEvent {
	out := &adminv1.HistoryEvent{
		Id:          ev.ID,
		Time:        timestamp(ev.Time),
		Kind:        ev.Kind,
		Actor:       ev.Actor,
		Integration: ev.Integration,
		Message:     ev.Message,
	}
	if ev.Workflow != "" {
		if w, err := state.ParseWorkflow(ev.Workflow); err == nil {
			out.WorkflowState = workflowsOut[w]
		}
	}
	if len(ev.Attributes)+len(ev.Sealed) > 0 {
		out.Attributes = make(map[string]string, len(ev.Attributes)+len(ev.Sealed))
		maps.Copy(out.Attributes, ev.Attributes)
		maps.Copy(out.Attributes, ev.Sealed)
	}
	return out
}

func replyFromProto(r *adminv1.Reply) engine.Reply {
	return engine.Reply{Subject: r.GetSubject(), Body: r.GetBody()}
}

func replyToProto(r engine.Reply) *adminv1.Reply {
	return &adminv1.Reply{Subject: r.Subject, Body: r.Body}
}

func integrationInfoToProto(in IntegrationInfo) *adminv1.Integration {
	out := &adminv1.Integration{
		Name:          in.Name,
		Category:      in.Category,
		ProcessKind:   in.ProcessKind,
		Plugin:        in.Plugin,
		PluginVersion: in.PluginVersion,
		Health: &adminv1.Health{
			State:    in.Health.State,
			Message:  in.Health.Message,
			Restarts: int32(min(in.Health.Restarts, 1<<31-1)),
			Since:    timestamp(in.Health.Since),
		},
		DependsOn: slices.Clone(in.DependsOn),
	}
	if in.Type == 0 {
		out.Type = adminv1.IntegrationType_INTEGRATION_TYPE_MANUAL
	} else {
		out.Type = integrationTypesOut[in.Type]
	}
	for _, c := range in.Capabilities {
		out.Capabilities = append(out.Capabilities, c.String())
	}
	for _, rt := range in.RequestTypes {
		out.RequestTypes = append(out.RequestTypes, requestTypesOut[rt])
	}
	return out
}
