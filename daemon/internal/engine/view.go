package engine

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// Request is a privacy request as the admin API shows it.
type Request struct {
	ID      string
	Type    sdk.RequestType
	Subject sdk.Subject
	// Details is what the subject reported.
	Details      string
	Source       string
	SourceDetail string
	CreatedAt    time.Time
	DueAt        time.Time
	// Overdue: past its due date and not closed.
	Overdue  bool
	Stage    state.Stage
	Workflow state.Workflow
	// Integrations in workflow-state then configuration order.
	Integrations             []IntegrationState
	ManualTasks              []ManualTask
	AwaitingDeletionApproval bool
	Outcome                  state.Outcome
	ClosedAt                 time.Time
	// SelectedSources were chosen at approval; empty means all.
	SelectedSources []string
}

// IntegrationState is one integration in one workflow state of a request.
type IntegrationState struct {
	Name     string
	Category string
	Type     sdk.IntegrationType
	Workflow state.Workflow
	Status   state.Status
	// Detail is the words after the status ("3 records found"); "" where
	// the seed shows none.
	Detail string
	// Label is status and detail as the seed writes them.
	Label         string
	Attempts      int
	Error         *state.ErrorInfo
	NextAttemptAt time.Time
	UpdatedAt     time.Time
	// DueAt is a Direct Contact processor's due date.
	DueAt     time.Time
	Count     int64
	DependsOn []string
}

// The operator actions on an integration, as Actions names them.
const (
	ActionRetry = "retry"
	ActionStop  = "stop"
	ActionSkip  = "skip"
)

// Actions are the operator actions the engine accepts on the integration
// while its request is in stage: retry (RetryIntegration) in Error,
// Processing or a transient wait; stop and skip until it is Complete.
func (s IntegrationState) Actions(stage state.Stage) []string {
	if stage != state.StageProcess || s.Status == state.Complete {
		return nil
	}
	if retryable(s.Status, s.NextAttemptAt) {
		return []string{ActionRetry, ActionStop, ActionSkip}
	}
	return []string{ActionStop, ActionSkip}
}

// ManualTask is a manual data source's checklist item.
type ManualTask struct {
	Name         string
	Category     string
	Instructions string
	Done         bool
	Note         string
	DoneBy       string
	DoneAt       time.Time
}

// Get returns a request.
func (e *Engine) Get(ctx context.Context, id string) (*Request, error) {
	snap, err := e.load(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get request: %w", err)
	}
	return e.view(snap), nil
}

func (e *Engine) view(snap *store.Snapshot) *Request {
	r := snap.Request
	now := e.now()
	v := &Request{
		ID: r.ID, Type: r.Type, Subject: r.Subject, Details: r.Details, Source: r.Source,
		SourceDetail: r.SourceDetail, CreatedAt: r.CreatedAt, DueAt: r.DueAt,
		Overdue: r.Stage != state.StageClosed && now.After(r.DueAt),
		Stage:   r.Stage, Workflow: r.Workflow, AwaitingDeletionApproval: r.AwaitingDeletionApproval,
		Outcome: r.Outcome, ClosedAt: r.ClosedAt, SelectedSources: slices.Clone(r.Selected),
	}
	for _, it := range snap.Integrations {
		v.Integrations = append(v.Integrations, e.integrationView(it))
	}
	for _, m := range snap.Manual {
		v.ManualTasks = append(v.ManualTasks, manualView(m))
	}
	return v
}

func (e *Engine) integrationView(it *store.Integration) IntegrationState {
	now := e.now()
	st := it.State()
	v := IntegrationState{
		Name: it.Name, Category: it.Category, Type: it.Type, Workflow: it.Workflow,
		Status: it.Status, Detail: st.DetailText(now), Label: st.Label(now),
		Attempts: it.Attempt, NextAttemptAt: it.NextAttemptAt, UpdatedAt: it.UpdatedAt,
		DueAt: it.DueAt, Count: it.Count, DependsOn: slices.Clone(it.DependsOn),
	}
	if it.Error != nil {
		ei := *it.Error
		v.Error = &ei
	}
	return v
}

func manualView(m *store.ManualTask) ManualTask {
	return ManualTask{Name: m.Name, Category: m.Category, Instructions: m.Instructions,
		Done: m.Done, Note: m.Note, DoneBy: m.DoneBy, DoneAt: m.DoneAt}
}

// Filter selects requests to list; zero fields match all.
type Filter struct {
	Stage state.Stage
	Type  sdk.RequestType
	// IntegrationStatus keeps requests with an integration in this status,
	// narrowed to one integration by Integration.
	IntegrationStatus state.Status
	Integration       string
	DueBefore         time.Time
	// Email finds the subject's requests through keyed hashes.
	Email string
}

// List returns requests matching f, newest first. cursor is the previous
// page's next ("" for the first page); next is "" on the last page. A page
// may be shorter than limit without being the last.
func (e *Engine) List(ctx context.Context, f Filter, cursor string, limit int) ([]*Request, string, error) {
	if limit <= 0 || limit > 1000 {
		limit = min(max(limit, 50), 1000)
	}
	snaps, next, err := e.store.List(ctx, store.Filter{
		Stage: f.Stage, Type: f.Type, Status: f.IntegrationStatus, Integration: f.Integration,
		DueBefore: f.DueBefore, Email: f.Email,
	}, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("list requests: %w", err)
	}
	out := make([]*Request, 0, len(snaps))
	for _, s := range snaps {
		out = append(out, e.view(s))
	}
	return out, next, nil
}

// History returns a request's whole history, oldest first.
func (e *Engine) History(ctx context.Context, id string) ([]Event, error) {
	if _, err := e.load(ctx, id); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return e.store.History(ctx, id, "", 0)
}

// Watch streams a request's new history entries as they are appended,
// from after the entry id after ("" for only those to come), until ctx
// ends; the channel is then closed. Each entry means the request changed:
// Get it for its new state. It works across engines and daemons: it
// waits on the request's history in Redis (store.WaitHistory).
func (e *Engine) Watch(ctx context.Context, id, after string) (<-chan Event, error) {
	if _, err := e.load(ctx, id); err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	if after == "" {
		last, err := e.store.LastHistoryID(ctx, id)
		if err != nil {
			return nil, err
		}
		after = last
	}
	ch := make(chan Event, 16)
	go func() {
		defer close(ch)
		for ctx.Err() == nil {
			evs, err := e.store.WaitHistory(ctx, id, after, 5*time.Second)
			if err != nil {
				if ctx.Err() == nil {
					e.log.Warn("watch stopped", "request", id, "error", err)
				}
				return
			}
			for _, ev := range evs {
				select {
				case ch <- ev:
					after = ev.ID
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return ch, nil
}

// Result is what one integration found for a request, decrypted.
type Result struct {
	Integration string
	Workflow    state.Workflow
	Records     []sdk.Record
	// Files are the files a connector returned, held in the result.
	Files []sdk.File
	// Uploads are the files a Direct Contact processor uploaded, kept
	// in sealed chunks and read through Open.
	Uploads     []Upload
	Identifiers map[string]string
}

// Upload is a file a processor uploaded. Open reads it a chunk at a time,
// so an export streams it without ever holding it whole.
type Upload struct {
	Name        string
	ContentType string
	Size        int64
	open        func(context.Context) io.Reader
}

// Open returns a reader of the file's content.
func (u Upload) Open(ctx context.Context) io.Reader { return u.open(ctx) }

// ReadAll reads the whole file, for callers that want it in memory.
func (u Upload) ReadAll(ctx context.Context) ([]byte, error) { return io.ReadAll(u.Open(ctx)) }

// Results returns a request's access results for export, decrypted.
// After results_retention past closing they are purged and none remain.
func (e *Engine) Results(ctx context.Context, id string) ([]Result, error) {
	snap, err := e.load(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var keys []store.ResultKey
	for _, it := range snap.Integrations {
		keys = append(keys, store.ResultKey{Workflow: it.Workflow, Name: it.Name})
	}
	res, err := e.store.Results(ctx, id, keys)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, k := range keys {
		r := res[k]
		if r == nil {
			continue
		}
		v := Result{Integration: k.Name, Workflow: k.Workflow, Records: r.Records, Files: r.Files, Identifiers: r.Identifiers}
		for _, f := range r.Stored {
			v.Uploads = append(v.Uploads, Upload{Name: f.Name, ContentType: f.ContentType, Size: f.Size,
				open: func(ctx context.Context) io.Reader { return e.store.OpenStored(ctx, id, k.Workflow, k.Name, f) }})
		}
		out = append(out, v)
	}
	return out, nil
}

// Source is a data source that may run on a request, for the operator to
// pick at approval.
type Source struct {
	Name     string
	Category string
	// Type is 0 for a manual data source.
	Type   sdk.IntegrationType
	Manual bool
}

// Sources lists the data sources applicable to a request type, as a
// request created now would plan them.
func (e *Engine) Sources(rt sdk.RequestType) []Source {
	its, manual := plan(e.config(), rt)
	var out []Source
	seen := map[string]bool{}
	for _, it := range its {
		if !seen[it.Name] {
			seen[it.Name] = true
			out = append(out, Source{Name: it.Name, Category: it.Category, Type: it.Type})
		}
	}
	for _, m := range manual {
		out = append(out, Source{Name: m.Name, Category: m.Category, Manual: true})
	}
	return out
}
