package store

import (
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// Request is a privacy request. Subject, Details and SourceDetail are
// personal data and are sealed at rest.
type Request struct {
	ID           string
	Type         sdk.RequestType
	Subject      sdk.Subject
	Details      string
	Source       string
	SourceDetail string
	CreatedAt    time.Time
	DueAt        time.Time
	ClosedAt     time.Time
	Stage        state.Stage
	Workflow     state.Workflow
	// AwaitingDeletionApproval holds Pending Delete until an operator approves.
	AwaitingDeletionApproval bool
	Outcome                  state.Outcome
	// Selected are the data sources chosen at approval; empty means all.
	Selected []string
	// Version is what the request was read at; Commit checks it.
	Version int64

	indexedStage state.Stage
	// storedPersonal is the personal data as stored (encoded, unsealed):
	// a write that leaves it unchanged does not write it again.
	storedPersonal []byte
}

// Phase is where an integration's current attempt is in its job, beyond
// what its status says.
type Phase string

// The phases.
const (
	// PhaseNone: no job is working on the integration.
	PhaseNone Phase = ""
	// PhaseCall: a job is calling the connector (Access or Delete).
	PhaseCall Phase = "call"
	// PhasePoll: the third party accepted the job; a poll is scheduled.
	PhasePoll Phase = "poll"
	// PhaseAwait: a Direct Contact processor has been asked and not answered.
	PhaseAwait Phase = "await"
)

// Integration is one integration's state in one workflow state of a request.
type Integration struct {
	Name     string
	Category string
	Type     sdk.IntegrationType
	Workflow state.Workflow
	// Order keeps integrations in configuration order.
	Order     int
	DependsOn []string

	Status state.Status
	Detail state.Detail
	Count  int64
	DueAt  time.Time
	Error  *state.ErrorInfo

	// Attempt numbers the tries; a job carries the attempt it is for.
	Attempt int
	Phase   Phase
	// PollSeq numbers the polls of the current attempt.
	PollSeq int
	// Handle is the connector's opaque async handle, sealed at rest.
	Handle        string
	SubmittedAt   time.Time
	NextAttemptAt time.Time
	NextPollAt    time.Time
	UpdatedAt     time.Time
	// OverdueNoted records that a blocking Direct Contact's due date passed.
	OverdueNoted bool
	// Transient counts transient errors in a row on the current attempt
	// (or its polls); the engine bounds the run.
	Transient int
	// Try numbers the run task of the current attempt: each "not now,
	// later" hands the job to a task numbered one more.
	Try     int
	Version int64

	indexedStatus state.Status
}

// State returns the integration's state for labelling.
func (i *Integration) State() state.State {
	return state.State{Workflow: i.Workflow, Status: i.Status, Detail: i.Detail, Count: i.Count, DueAt: i.DueAt}
}

// Clone returns a deep copy to modify before a Put.
func (i *Integration) Clone() *Integration {
	c := *i
	c.DependsOn = append([]string(nil), i.DependsOn...)
	if i.Error != nil {
		e := *i.Error
		c.Error = &e
	}
	return &c
}

// ManualTask is a manual data source's checklist item on one request.
// Note is sealed at rest.
type ManualTask struct {
	Name         string
	Category     string
	Instructions string
	Order        int
	Done         bool
	Note         string
	DoneBy       string
	DoneAt       time.Time
	Version      int64
}

// Result is what one integration found, sealed at rest.
type Result struct {
	Records []sdk.Record
	// Files are the files found, kept in the result itself.
	Files       []sdk.File
	Identifiers map[string]string
	// Upload, when writing, is a staged upload whose files become the
	// result's in the same commit (uploads.go).
	Upload *Upload
	// Stored, when reading, are the uploaded files kept in chunks; each
	// is read through OpenStored, a chunk at a time.
	Stored []StoredFile
}

// Clone returns a copy of the request to modify before a Put.
func (r *Request) Clone() *Request {
	c := *r
	c.Selected = append([]string(nil), r.Selected...)
	c.Subject.Identifiers = cloneMap(r.Subject.Identifiers)
	return &c
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Snapshot is everything about one request but its history and results,
// read at one instant.
type Snapshot struct {
	Request      *Request
	Integrations []*Integration
	Manual       []*ManualTask
}

// Integration returns the named integration's state in workflow state w.
func (s *Snapshot) Integration(w state.Workflow, name string) *Integration {
	for _, i := range s.Integrations {
		if i.Workflow == w && i.Name == name {
			return i
		}
	}
	return nil
}

// InWorkflow returns the integrations of workflow state w, in order.
func (s *Snapshot) InWorkflow(w state.Workflow) []*Integration {
	var out []*Integration
	for _, i := range s.Integrations {
		if i.Workflow == w {
			out = append(out, i)
		}
	}
	return out
}

// ManualTask returns the named checklist item.
func (s *Snapshot) ManualTask(name string) *ManualTask {
	for _, m := range s.Manual {
		if m.Name == name {
			return m
		}
	}
	return nil
}
