package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// The JSON documents in the request hash. Sealed fields are []byte (base64
// in JSON); enums are stored by their stable codes so values survive
// reordering of Go constants.

type requestDoc struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	Subject      []byte    `json:"subject"`
	Details      []byte    `json:"details,omitempty"`
	Source       string    `json:"source,omitempty"`
	SourceDetail []byte    `json:"source_detail,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	DueAt        time.Time `json:"due_at"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
	Stage        string    `json:"stage"`
	Workflow     string    `json:"workflow,omitempty"`
	AwaitDelete  bool      `json:"await_delete,omitempty"`
	Outcome      string    `json:"outcome,omitempty"`
	Selected     []string  `json:"selected,omitempty"`
}

type integrationDoc struct {
	Name          string           `json:"name"`
	Category      string           `json:"category,omitempty"`
	Type          int              `json:"type"`
	Workflow      string           `json:"workflow"`
	Order         int              `json:"order"`
	DependsOn     []string         `json:"depends_on,omitempty"`
	Status        string           `json:"status"`
	Detail        string           `json:"detail,omitempty"`
	Count         int64            `json:"count,omitempty"`
	DueAt         time.Time        `json:"due_at,omitzero"`
	Error         *state.ErrorInfo `json:"error,omitempty"`
	Attempt       int              `json:"attempt,omitempty"`
	Phase         string           `json:"phase,omitempty"`
	PollSeq       int              `json:"poll_seq,omitempty"`
	Handle        []byte           `json:"handle,omitempty"`
	SubmittedAt   time.Time        `json:"submitted_at,omitzero"`
	NextAttemptAt time.Time        `json:"next_attempt_at,omitzero"`
	NextPollAt    time.Time        `json:"next_poll_at,omitzero"`
	UpdatedAt     time.Time        `json:"updated_at,omitzero"`
	OverdueNoted  bool             `json:"overdue_noted,omitempty"`
}

type manualDoc struct {
	Name         string    `json:"name"`
	Category     string    `json:"category,omitempty"`
	Instructions string    `json:"instructions,omitempty"`
	Order        int       `json:"order"`
	Done         bool      `json:"done,omitempty"`
	Note         []byte    `json:"note,omitempty"`
	DoneBy       string    `json:"done_by,omitempty"`
	DoneAt       time.Time `json:"done_at,omitzero"`
}

type resultDoc struct {
	Records     []sdk.Record      `json:"records,omitempty"`
	Files       []sdk.File        `json:"files,omitempty"`
	Identifiers map[string]string `json:"identifiers,omitempty"`
}

type sealer struct{ ring *seal.KeyRing }

func aad(id, what string) []byte { return []byte(id + "/" + what) }

func (c sealer) sealString(id, what, v string) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	return c.ring.Seal([]byte(v), aad(id, what))
}

func (c sealer) openString(id, what string, b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	p, err := c.ring.Open(b, aad(id, what))
	if err != nil {
		return "", fmt.Errorf("open %s of request %s: %w", what, id, err)
	}
	return string(p), nil
}

func (c sealer) encodeRequest(r *Request) (string, error) {
	subj, err := json.Marshal(r.Subject)
	if err != nil {
		return "", fmt.Errorf("encode subject: %w", err)
	}
	d := requestDoc{
		ID: r.ID, Type: string(r.Type), Source: r.Source,
		CreatedAt: r.CreatedAt, DueAt: r.DueAt, ClosedAt: r.ClosedAt,
		Stage: r.Stage.Code(), AwaitDelete: r.AwaitingDeletionApproval,
		Outcome: r.Outcome.String(), Selected: r.Selected,
	}
	if r.Workflow != state.WorkflowNone {
		d.Workflow = r.Workflow.Code()
	}
	if d.Subject, err = c.ring.Seal(subj, aad(r.ID, "subject")); err != nil {
		return "", err
	}
	if d.Details, err = c.sealString(r.ID, "details", r.Details); err != nil {
		return "", err
	}
	if d.SourceDetail, err = c.sealString(r.ID, "source_detail", r.SourceDetail); err != nil {
		return "", err
	}
	b, err := json.Marshal(d)
	return string(b), err
}

func (c sealer) decodeRequest(id, s string) (*Request, error) {
	var d requestDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return nil, fmt.Errorf("decode request %s: %w", id, err)
	}
	r := &Request{
		ID: d.ID, Type: sdk.RequestType(d.Type), Source: d.Source,
		CreatedAt: d.CreatedAt, DueAt: d.DueAt, ClosedAt: d.ClosedAt,
		AwaitingDeletionApproval: d.AwaitDelete, Selected: d.Selected,
	}
	var err error
	if r.Stage, err = state.ParseStage(d.Stage); err != nil {
		return nil, fmt.Errorf("decode request %s: %w", id, err)
	}
	if r.Workflow, err = state.ParseWorkflow(d.Workflow); err != nil {
		return nil, fmt.Errorf("decode request %s: %w", id, err)
	}
	switch d.Outcome {
	case "completed":
		r.Outcome = state.OutcomeCompleted
	case "rejected":
		r.Outcome = state.OutcomeRejected
	}
	subj, err := c.ring.Open(d.Subject, aad(id, "subject"))
	if err != nil {
		return nil, fmt.Errorf("open subject of request %s: %w", id, err)
	}
	if err := json.Unmarshal(subj, &r.Subject); err != nil {
		return nil, fmt.Errorf("decode subject of request %s: %w", id, err)
	}
	if r.Details, err = c.openString(id, "details", d.Details); err != nil {
		return nil, err
	}
	if r.SourceDetail, err = c.openString(id, "source_detail", d.SourceDetail); err != nil {
		return nil, err
	}
	r.indexedStage = r.Stage
	return r, nil
}

func (c sealer) encodeIntegration(id string, i *Integration) (string, error) {
	d := integrationDoc{
		Name: i.Name, Category: i.Category, Type: int(i.Type), Workflow: i.Workflow.Code(),
		Order: i.Order, DependsOn: i.DependsOn, Status: i.Status.Code(), Detail: i.Detail.Code(),
		Count: i.Count, DueAt: i.DueAt, Error: i.Error, Attempt: i.Attempt, Phase: string(i.Phase),
		PollSeq: i.PollSeq, SubmittedAt: i.SubmittedAt, NextAttemptAt: i.NextAttemptAt,
		NextPollAt: i.NextPollAt, UpdatedAt: i.UpdatedAt, OverdueNoted: i.OverdueNoted,
	}
	var err error
	if d.Handle, err = c.sealString(id, "handle/"+i.Workflow.Code()+"/"+i.Name, i.Handle); err != nil {
		return "", err
	}
	b, err := json.Marshal(d)
	return string(b), err
}

func (c sealer) decodeIntegration(id, s string) (*Integration, error) {
	var d integrationDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return nil, fmt.Errorf("decode integration state of request %s: %w", id, err)
	}
	i := &Integration{
		Name: d.Name, Category: d.Category, Type: sdk.IntegrationType(d.Type), Order: d.Order,
		DependsOn: d.DependsOn, Count: d.Count, DueAt: d.DueAt, Error: d.Error, Attempt: d.Attempt,
		Phase: Phase(d.Phase), PollSeq: d.PollSeq, SubmittedAt: d.SubmittedAt,
		NextAttemptAt: d.NextAttemptAt, NextPollAt: d.NextPollAt, UpdatedAt: d.UpdatedAt,
		OverdueNoted: d.OverdueNoted,
	}
	var err error
	if i.Workflow, err = state.ParseWorkflow(d.Workflow); err != nil {
		return nil, err
	}
	if i.Status, err = state.ParseStatus(d.Status); err != nil {
		return nil, err
	}
	if i.Detail, err = state.ParseDetail(d.Detail); err != nil {
		return nil, err
	}
	if i.Handle, err = c.openString(id, "handle/"+i.Workflow.Code()+"/"+i.Name, d.Handle); err != nil {
		return nil, err
	}
	i.indexedStatus = i.Status
	return i, nil
}

func (c sealer) encodeManual(id string, m *ManualTask) (string, error) {
	d := manualDoc{Name: m.Name, Category: m.Category, Instructions: m.Instructions, Order: m.Order,
		Done: m.Done, DoneBy: m.DoneBy, DoneAt: m.DoneAt}
	var err error
	if d.Note, err = c.sealString(id, "note/"+m.Name, m.Note); err != nil {
		return "", err
	}
	b, err := json.Marshal(d)
	return string(b), err
}

func (c sealer) decodeManual(id, s string) (*ManualTask, error) {
	var d manualDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return nil, fmt.Errorf("decode manual task of request %s: %w", id, err)
	}
	m := &ManualTask{Name: d.Name, Category: d.Category, Instructions: d.Instructions, Order: d.Order,
		Done: d.Done, DoneBy: d.DoneBy, DoneAt: d.DoneAt}
	var err error
	if m.Note, err = c.openString(id, "note/"+m.Name, d.Note); err != nil {
		return nil, err
	}
	return m, nil
}

func resultAAD(w state.Workflow, name string) string { return "result/" + w.Code() + "/" + name }

func (c sealer) encodeResult(id string, w state.Workflow, name string, r *Result) ([]byte, error) {
	b, err := json.Marshal(resultDoc{Records: r.Records, Files: r.Files, Identifiers: r.Identifiers})
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	return c.ring.Seal(b, aad(id, resultAAD(w, name)))
}

func (c sealer) decodeResult(id string, w state.Workflow, name string, b []byte) (*Result, error) {
	p, err := c.ring.Open(b, aad(id, resultAAD(w, name)))
	if err != nil {
		return nil, fmt.Errorf("open result of %s in request %s: %w", name, id, err)
	}
	var d resultDoc
	if err := json.Unmarshal(p, &d); err != nil {
		return nil, fmt.Errorf("decode result of %s in request %s: %w", name, id, err)
	}
	return &Result{Records: d.Records, Files: d.Files, Identifiers: d.Identifiers}, nil
}
