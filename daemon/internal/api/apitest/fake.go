package apitest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// SampleID is the id of SampleRequest.
const SampleID = "01JA2B3C4D5E6F7G8H9JKMNPQR"

// SampleTime is when SampleRequest was created.
var SampleTime = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)

// SampleRequest is a deletion request in Process with one integration of
// each status that matters to a table, as the fakes return it.
func SampleRequest() *engine.Request {
	return &engine.Request{
		ID: SampleID, Type: sdk.RequestDeletion,
		Subject:   sdk.Subject{Email: "subject@example.com"},
		Source:    "manual",
		CreatedAt: SampleTime, DueAt: SampleTime.Add(45 * 24 * time.Hour),
		Stage: state.StageProcess, Workflow: state.Extracting,
		Integrations: []engine.IntegrationState{
			{Name: "crm", Category: "CRM", Type: sdk.SynchronousAPI, Workflow: state.Extracting,
				Status: state.Complete, Detail: "3 records found", Label: "Complete 3 records found", Count: 3, Attempts: 1},
			{Name: "heap", Category: "Analytics", Type: sdk.AsynchronousAPI, Workflow: state.Extracting,
				Status: state.Error, Label: "Error", Attempts: 2,
				Error: &state.ErrorInfo{Type: sdk.ErrorAuth, StatusCode: 401, Message: "unauthorized", Remediation: "Rotate the API key."}},
		},
		ManualTasks: []engine.ManualTask{{Name: "paper-archive", Category: "Physical records", Instructions: "Shred it."}},
	}
}

// FakeEngine implements api.Engine. Each nil function field answers with
// SampleRequest (or an integration of it); Calls records the methods called
// with the actor each was called as.
type FakeEngine struct {
	CreateFunc             func(ctx context.Context, in engine.CreateInput) (*engine.Request, error)
	GetFunc                func(ctx context.Context, id string) (*engine.Request, error)
	ListFunc               func(ctx context.Context, f engine.Filter, cursor string, limit int) ([]*engine.Request, string, error)
	ApproveFunc            func(ctx context.Context, id, actor string, sources []string) (*engine.Request, error)
	RejectFunc             func(ctx context.Context, id, actor, reason string, reply engine.Reply) (*engine.Request, error)
	ApproveDeletionFunc    func(ctx context.Context, id, actor string) (*engine.Request, error)
	CloseFunc              func(ctx context.Context, id, actor string, reply engine.Reply) (*engine.Request, error)
	HistoryFunc            func(ctx context.Context, id string) ([]engine.Event, error)
	WatchFunc              func(ctx context.Context, id, after string) (<-chan engine.Event, error)
	ResultsFunc            func(ctx context.Context, id string) ([]engine.Result, error)
	RetryFunc              func(ctx context.Context, id, integration, actor string) (*engine.IntegrationState, error)
	StopFunc               func(ctx context.Context, id, integration, actor string) (*engine.IntegrationState, error)
	SkipFunc               func(ctx context.Context, id, integration, actor string) (*engine.IntegrationState, error)
	CompleteManualTaskFunc func(ctx context.Context, id, name, actor, note string) (*engine.ManualTask, error)

	mu    sync.Mutex
	calls []Call
}

// Call is one method call a FakeEngine received.
type Call struct {
	Method string
	Actor  string
}

var _ api.Engine = (*FakeEngine)(nil)

func (f *FakeEngine) record(method, actor string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, Call{Method: method, Actor: actor})
}

// Calls returns the calls so far.
func (f *FakeEngine) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

func sampleIntegration(name string, status state.Status, label string) *engine.IntegrationState {
	return &engine.IntegrationState{Name: name, Category: "CRM", Type: sdk.SynchronousAPI, Workflow: state.Extracting,
		Status: status, Label: label, UpdatedAt: SampleTime}
}

// Create implements api.Engine.
func (f *FakeEngine) Create(ctx context.Context, in engine.CreateInput) (*engine.Request, error) {
	f.record("Create", in.Actor)
	if f.CreateFunc != nil {
		return f.CreateFunc(ctx, in)
	}
	r := SampleRequest()
	r.Type, r.Subject, r.Stage, r.Workflow = in.Type, in.Subject, state.StageReview, state.WorkflowNone
	return r, nil
}

// Get implements api.Engine.
func (f *FakeEngine) Get(ctx context.Context, id string) (*engine.Request, error) {
	f.record("Get", "")
	if f.GetFunc != nil {
		return f.GetFunc(ctx, id)
	}
	r := SampleRequest()
	r.ID = id
	return r, nil
}

// List implements api.Engine.
func (f *FakeEngine) List(ctx context.Context, fl engine.Filter, cursor string, limit int) ([]*engine.Request, string, error) {
	f.record("List", "")
	if f.ListFunc != nil {
		return f.ListFunc(ctx, fl, cursor, limit)
	}
	return []*engine.Request{SampleRequest()}, "", nil
}

// Approve implements api.Engine.
func (f *FakeEngine) Approve(ctx context.Context, id, actor string, sources []string) (*engine.Request, error) {
	f.record("Approve", actor)
	if f.ApproveFunc != nil {
		return f.ApproveFunc(ctx, id, actor, sources)
	}
	r := SampleRequest()
	r.ID, r.SelectedSources = id, sources
	return r, nil
}

// Reject implements api.Engine.
func (f *FakeEngine) Reject(ctx context.Context, id, actor, reason string, reply engine.Reply) (*engine.Request, error) {
	f.record("Reject", actor)
	if f.RejectFunc != nil {
		return f.RejectFunc(ctx, id, actor, reason, reply)
	}
	r := SampleRequest()
	r.ID, r.Stage, r.Outcome, r.Workflow, r.ClosedAt = id, state.StageClosed, state.OutcomeRejected, state.WorkflowNone, SampleTime.Add(time.Hour)
	return r, nil
}

// ApproveDeletion implements api.Engine.
func (f *FakeEngine) ApproveDeletion(ctx context.Context, id, actor string) (*engine.Request, error) {
	f.record("ApproveDeletion", actor)
	if f.ApproveDeletionFunc != nil {
		return f.ApproveDeletionFunc(ctx, id, actor)
	}
	r := SampleRequest()
	r.ID, r.Workflow = id, state.PendingDelete
	return r, nil
}

// Close implements api.Engine.
func (f *FakeEngine) Close(ctx context.Context, id, actor string, reply engine.Reply) (*engine.Request, error) {
	f.record("Close", actor)
	if f.CloseFunc != nil {
		return f.CloseFunc(ctx, id, actor, reply)
	}
	r := SampleRequest()
	r.ID, r.Stage, r.Outcome, r.Workflow, r.ClosedAt = id, state.StageClosed, state.OutcomeCompleted, state.WorkflowNone, SampleTime.Add(time.Hour)
	return r, nil
}

// History implements api.Engine.
func (f *FakeEngine) History(ctx context.Context, id string) ([]engine.Event, error) {
	f.record("History", "")
	if f.HistoryFunc != nil {
		return f.HistoryFunc(ctx, id)
	}
	return []engine.Event{
		{ID: "1", Time: SampleTime, Kind: engine.EventRequestCreated, Actor: OperatorName, Message: "Request created"},
		{ID: "2", Time: SampleTime.Add(time.Minute), Kind: engine.EventIntegrationState, Actor: "system", Integration: "crm",
			Workflow: state.Extracting.Code(), Message: "Complete 3 records found"},
	}, nil
}

// Watch implements api.Engine: without WatchFunc, one event then nothing
// until ctx ends.
func (f *FakeEngine) Watch(ctx context.Context, id, after string) (<-chan engine.Event, error) {
	f.record("Watch", "")
	if f.WatchFunc != nil {
		return f.WatchFunc(ctx, id, after)
	}
	ch := make(chan engine.Event, 1)
	ch <- engine.Event{ID: "3", Time: SampleTime, Kind: engine.EventStageChanged, Actor: "system", Message: "Process"}
	go func() {
		<-ctx.Done()
		close(ch)
	}()
	return ch, nil
}

// Results implements api.Engine.
func (f *FakeEngine) Results(ctx context.Context, id string) ([]engine.Result, error) {
	f.record("Results", "")
	if f.ResultsFunc != nil {
		return f.ResultsFunc(ctx, id)
	}
	return []engine.Result{{Integration: "crm", Workflow: state.Extracting,
		Records: []sdk.Record{{ID: "c-1", Kind: "contact", Data: []byte(`{"name":"A"}`)}}}}, nil
}

// Retry implements api.Engine.
func (f *FakeEngine) Retry(ctx context.Context, id, integration, actor string) (*engine.IntegrationState, error) {
	f.record("Retry", actor)
	if f.RetryFunc != nil {
		return f.RetryFunc(ctx, id, integration, actor)
	}
	return sampleIntegration(integration, state.Pending, "Pending"), nil
}

// Stop implements api.Engine.
func (f *FakeEngine) Stop(ctx context.Context, id, integration, actor string) (*engine.IntegrationState, error) {
	f.record("Stop", actor)
	if f.StopFunc != nil {
		return f.StopFunc(ctx, id, integration, actor)
	}
	return sampleIntegration(integration, state.Complete, "Complete Stopped processing"), nil
}

// Skip implements api.Engine.
func (f *FakeEngine) Skip(ctx context.Context, id, integration, actor string) (*engine.IntegrationState, error) {
	f.record("Skip", actor)
	if f.SkipFunc != nil {
		return f.SkipFunc(ctx, id, integration, actor)
	}
	return sampleIntegration(integration, state.Complete, "Complete Access skipped"), nil
}

// CompleteManualTask implements api.Engine.
func (f *FakeEngine) CompleteManualTask(ctx context.Context, id, name, actor, note string) (*engine.ManualTask, error) {
	f.record("CompleteManualTask", actor)
	if f.CompleteManualTaskFunc != nil {
		return f.CompleteManualTaskFunc(ctx, id, name, actor, note)
	}
	return &engine.ManualTask{Name: name, Done: true, Note: note, DoneBy: actor, DoneAt: SampleTime}, nil
}

// FakeInventory implements api.Inventory with two integrations and a manual
// data source, or IntegrationsFunc and TestFunc when set.
type FakeInventory struct {
	IntegrationsFunc func(ctx context.Context) ([]api.IntegrationInfo, error)
	TestFunc         func(ctx context.Context, name string) (*api.TestResult, error)
}

var _ api.Inventory = (*FakeInventory)(nil)

// Integrations implements api.Inventory.
func (f *FakeInventory) Integrations(ctx context.Context) ([]api.IntegrationInfo, error) {
	if f.IntegrationsFunc != nil {
		return f.IntegrationsFunc(ctx)
	}
	return []api.IntegrationInfo{
		{Name: "crm", Category: "CRM", Type: sdk.SynchronousAPI, ProcessKind: api.ProcessAutomated,
			Plugin: "genericrest", PluginVersion: "0.1.0", Health: api.Health{State: api.HealthHealthy, Since: SampleTime},
			Capabilities: []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete}},
		{Name: "heap", Category: "Analytics", Type: sdk.AsynchronousAPI, ProcessKind: api.ProcessAutomated,
			Plugin: "heap", PluginVersion: "1.2.0", Health: api.Health{State: api.HealthRestarting, Restarts: 2, Message: "plugin exited"},
			Capabilities: []sdk.Capability{sdk.CapabilityDelete}, DependsOn: []string{"crm"}},
		{Name: "paper-archive", Category: "Physical records", ProcessKind: api.ProcessManual,
			Health:       api.Health{State: api.HealthHealthy},
			RequestTypes: []sdk.RequestType{sdk.RequestDeletion, sdk.RequestDoNotMail}},
	}, nil
}

// Test implements api.Inventory: "heap" fails its check, an unknown name
// is not found.
func (f *FakeInventory) Test(ctx context.Context, name string) (*api.TestResult, error) {
	if f.TestFunc != nil {
		return f.TestFunc(ctx, name)
	}
	switch name {
	case "crm", "paper-archive":
		return &api.TestResult{OK: true}, nil
	case "heap":
		return &api.TestResult{OK: false, Problems: []string{"the API key lacks the delete scope"},
			Error: &state.ErrorInfo{Type: sdk.ErrorPermission, StatusCode: 403, Message: "forbidden", Remediation: "Grant the delete scope."}}, nil
	}
	return nil, fmt.Errorf("integration %q: %w", name, engine.ErrNotFound)
}
