package respond

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/respond/linktoken"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/sdk"
)

// Engine is what the responder needs of the workflow engine
// (*engine.Engine).
type Engine interface {
	Get(ctx context.Context, id string) (*engine.Request, error)
	Answer(ctx context.Context, in engine.AnswerInput) (*engine.IntegrationState, error)
	Results(ctx context.Context, id string) ([]engine.Result, error)
	NewUpload(id string, ttl time.Duration) (*store.Upload, error)
}

var _ Engine = (*engine.Engine)(nil)

// DefaultUploadTimeout bounds one answer's upload: 100 MiB at about 1
// Mbit/s.
const DefaultUploadTimeout = 15 * time.Minute

// Options configure a Responder. Engine, Signer and Ledger are required.
type Options struct {
	Engine Engine
	// Signer checks link tokens; the same one makes them, as
	// engine.Options.ResponseURL.
	Signer *linktoken.Signer
	// Ledger makes links single use.
	Ledger *linktoken.Ledger
	Limits Limits
	// UploadTimeout is how long the answer page's POST may take to arrive
	// and be answered, lifting the server's read and write timeouts for it
	// so a large upload over a slow line is not cut off (default 15m).
	UploadTimeout time.Duration
	// Clock gives the time for "Due in # days" (default time.Now); the
	// engine's, in tests.
	Clock  func() time.Time
	Logger hclog.Logger
}

// Responder serves Direct Contact processors' answers. It is safe for
// concurrent use.
type Responder struct {
	engine Engine
	signer *linktoken.Signer
	ledger *linktoken.Ledger
	limits Limits
	upload time.Duration
	now    func() time.Time
	log    hclog.Logger
}

// New returns a Responder.
func New(opts Options) (*Responder, error) {
	if opts.Engine == nil || opts.Signer == nil || opts.Ledger == nil {
		return nil, errors.New("direct contact responder: engine, signer and ledger are required")
	}
	r := &Responder{engine: opts.Engine, signer: opts.Signer, ledger: opts.Ledger,
		limits: opts.Limits.withDefaults(), upload: opts.UploadTimeout, now: opts.Clock, log: opts.Logger}
	if r.upload <= 0 {
		r.upload = DefaultUploadTimeout
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = hclog.NewNullLogger()
	}
	return r, nil
}

// Limits are the upload limits in force.
func (r *Responder) Limits() Limits { return r.limits }

// Task is what a processor needs to answer, and no more.
type Task struct {
	RequestID   string
	RequestType sdk.RequestType
	Workflow    state.Workflow
	Integration string
	// Subject holds the identifiers only: email, phone, user id and
	// further identifiers (with those found by the integrations this one
	// depends on, as the email listed them).
	Subject sdk.Subject
	DueAt   time.Time
	// DueText is "Due in # days" or "Due # days ago".
	DueText string
	Choices []Choice
	// ExpiresAt is when the link stops working.
	ExpiresAt time.Time

	claims linktoken.Claims
}

// Submission is a processor's answer.
type Submission struct {
	Answer engine.Answer
	// Files arrived whole (SubmitResponse).
	Files []sdk.File
	// Upload holds files staged as they arrived (the answer page,
	// SubmitResponseStream), within the limits; submit commits it with the
	// answer or discards it.
	Upload *store.Upload
	Note   string
}

// Receipt confirms a recorded answer.
type Receipt struct {
	Task   *Task
	Choice Choice
	// Files is how many files were stored.
	Files int
	// Label is the integration's new label, e.g. "Complete Deletion done".
	Label string
}

// Task checks a link's token and returns what it asks of the processor.
// A link that cannot be answered fails with a *Refusal.
func (r *Responder) Task(ctx context.Context, token string) (*Task, error) {
	c, err := r.signer.Verify(token)
	switch {
	case errors.Is(err, linktoken.ErrExpired):
		return nil, r.refuse(&Refusal{Reason: RefusedExpired, ExpiredAt: c.ExpiresAt, cause: err}, c)
	case err != nil:
		return nil, r.refuse(&Refusal{Reason: RefusedInvalid, cause: err}, c)
	}
	used, err := r.ledger.Used(ctx, c)
	if err != nil {
		return nil, r.internal("check link", c, err)
	}
	if used {
		return nil, r.refuse(&Refusal{Reason: RefusedUsed}, c)
	}
	req, err := r.engine.Get(ctx, c.RequestID)
	if errors.Is(err, engine.ErrNotFound) {
		return nil, r.refuse(&Refusal{Reason: RefusedClosed, cause: err}, c)
	}
	if err != nil {
		return nil, r.internal("load request", c, err)
	}
	it := integration(req, c)
	if it == nil || req.Stage != state.StageProcess || it.Status != state.Processing || it.Attempts != c.Attempt {
		return nil, r.refuse(&Refusal{Reason: RefusedClosed}, c)
	}
	now := r.now()
	t := &Task{
		RequestID: req.ID, RequestType: req.Type, Workflow: c.Workflow, Integration: c.Integration,
		Subject: identifiers(req.Subject), DueAt: it.DueAt, Choices: choices(c.Workflow), ExpiresAt: c.ExpiresAt,
		DueText: state.State{Workflow: c.Workflow, Status: state.Processing, Detail: state.DetailDue, DueAt: it.DueAt}.DetailText(now),
		claims:  c,
	}
	if len(it.DependsOn) > 0 {
		if err := r.addFound(ctx, t, it.DependsOn); err != nil {
			return nil, r.internal("load identifiers found", c, err)
		}
	}
	return t, nil
}

// integration finds the Direct Contact integration a link was made for.
func integration(req *engine.Request, c linktoken.Claims) *engine.IntegrationState {
	for i := range req.Integrations {
		it := &req.Integrations[i]
		if it.Name == c.Integration && it.Workflow == c.Workflow && it.Type == sdk.DirectContact {
			return it
		}
	}
	return nil
}

// identifiers copies the subject's identifiers, and nothing else of the
// request.
func identifiers(s sdk.Subject) sdk.Subject {
	return sdk.Subject{Email: s.Email, Phone: s.Phone, UserID: s.UserID, Identifiers: maps.Clone(s.Identifiers)}
}

// addFound adds the identifiers the integrations this one depends on found,
// as the engine added them to the job that sent the email.
func (r *Responder) addFound(ctx context.Context, t *Task, dependsOn []string) error {
	results, err := r.engine.Results(ctx, t.RequestID)
	if err != nil {
		return err
	}
	for _, res := range results {
		if slices.Contains(dependsOn, res.Integration) && len(res.Identifiers) > 0 {
			if t.Subject.Identifiers == nil {
				t.Subject.Identifiers = map[string]string{}
			}
			maps.Copy(t.Subject.Identifiers, res.Identifiers)
		}
	}
	return nil
}

// Submit records a processor's answer through a link. A link that cannot be
// answered fails with a *Refusal, an answer that cannot be accepted as it is
// with an *InputError; either way nothing is recorded and, for an
// *InputError, the link still works.
func (r *Responder) Submit(ctx context.Context, token string, sub Submission) (*Receipt, error) {
	t, err := r.Task(ctx, token)
	if err != nil {
		return nil, err
	}
	return r.submit(ctx, t, sub)
}

// submit records an answer; on any failure it discards the answer's
// staged upload, so nothing of it is kept.
func (r *Responder) submit(ctx context.Context, t *Task, sub Submission) (*Receipt, error) {
	rec, err := r.record(ctx, t, sub)
	if err != nil {
		r.discard(ctx, t, sub.Upload)
	}
	return rec, err
}

// stagingTime is how long a staged upload outlives its last chunk: the
// answer is committed as soon as the upload ends, so only an upload cut
// short by a crash stays that long.
func (r *Responder) stagingTime() time.Duration { return r.upload + time.Hour }

// newUpload starts staging an answer's files.
func (r *Responder) newUpload(t *Task) (*store.Upload, error) {
	up, err := r.engine.NewUpload(t.RequestID, r.stagingTime())
	if err != nil {
		return nil, r.internal("start upload", t.claims, err)
	}
	return up, nil
}

// discard removes a staged upload that will not be committed, even when
// the caller's context has ended (a client gone mid-upload).
func (r *Responder) discard(ctx context.Context, t *Task, up *store.Upload) {
	if err := up.Discard(context.WithoutCancel(ctx)); err != nil {
		r.log.Warn("could not remove a refused upload; it expires on its own", "link", t.claims.ID(),
			"expires_in", r.stagingTime().String(), "error", err)
	}
}

func (r *Responder) record(ctx context.Context, t *Task, sub Submission) (*Receipt, error) {
	choice, err := r.validate(t, sub)
	if err != nil {
		return nil, err
	}
	files := cleanFiles(sub.Files)
	res, err := r.ledger.Reserve(ctx, t.claims)
	switch {
	case errors.Is(err, linktoken.ErrUsed):
		return nil, r.refuse(&Refusal{Reason: RefusedUsed}, t.claims)
	case errors.Is(err, linktoken.ErrBusy):
		return nil, r.refuse(&Refusal{Reason: RefusedBusy}, t.claims)
	case err != nil:
		return nil, r.internal("reserve link", t.claims, err)
	}
	st, err := r.engine.Answer(ctx, engine.AnswerInput{
		RequestID: t.RequestID, Integration: t.Integration, Workflow: t.Workflow, Attempt: t.claims.Attempt,
		Answer: choice.Answer, Files: files, Upload: sub.Upload, Note: sub.Note,
	})
	if err != nil {
		// Nothing was recorded: the link works again. The release must
		// happen even when the caller's context has ended.
		if rerr := res.Release(context.WithoutCancel(ctx)); rerr != nil {
			r.log.Warn("could not release a direct contact link; it works again when its hold ends",
				"link", t.claims.ID(), "error", rerr)
		}
		switch {
		case errors.Is(err, engine.ErrFailedPrecondition), errors.Is(err, engine.ErrNotFound):
			return nil, r.refuse(&Refusal{Reason: RefusedClosed, cause: err}, t.claims)
		case errors.Is(err, engine.ErrInvalidArgument):
			return nil, &InputError{Field: "answer", Message: "This answer cannot be given to this request. Pick one of the answers offered."}
		}
		return nil, r.internal("record answer", t.claims, err)
	}
	if err := res.Commit(context.WithoutCancel(ctx)); err != nil {
		// The engine has the answer and refuses another one, so the link
		// is spent all the same; the mark only words the refusal.
		r.log.Warn("answer recorded but the link could not be marked used", "link", t.claims.ID(), "error", err)
	}
	r.log.Info("direct contact answer recorded", "request_id", t.RequestID, "integration", t.Integration,
		"workflow", t.Workflow.Code(), "answer", choice.Value, "files", len(files)+sub.Upload.Len())
	return &Receipt{Task: t, Choice: choice, Files: len(files) + sub.Upload.Len(), Label: st.Label}, nil
}

// validate checks an answer against the task and the limits before
// anything is reserved or recorded.
func (r *Responder) validate(t *Task, sub Submission) (Choice, error) {
	var choice Choice
	found := false
	for _, c := range t.Choices {
		if c.Answer == sub.Answer {
			choice, found = c, true
			break
		}
	}
	if !found {
		return Choice{}, &InputError{Field: "answer", Message: fmt.Sprintf("Pick one of the %d answers offered for this %s request.", len(t.Choices), t.RequestType)}
	}
	if len(sub.Files)+sub.Upload.Len() > 0 && !choice.Files {
		return Choice{}, &InputError{Field: "files", Message: "Files can only be sent with the answer that you have uploaded data. Remove the files, or pick that answer."}
	}
	if e := r.limits.check(sub.Files); e != nil {
		return Choice{}, e
	}
	if utf8.RuneCountInString(sub.Note) > MaxNoteChars || !utf8.ValidString(sub.Note) {
		return Choice{}, &InputError{Field: "note", Message: fmt.Sprintf("The note can be at most %d characters long.", MaxNoteChars)}
	}
	return choice, nil
}

// refuse logs a refusal (never the token) and returns it.
func (r *Responder) refuse(ref *Refusal, c linktoken.Claims) *Refusal {
	args := []any{"reason", ref.Reason.code()}
	if c.RequestID != "" {
		args = append(args, "link", c.ID())
	}
	r.log.Info("direct contact link refused", args...)
	return ref
}

// internal logs a failure with its detail and returns errInternal.
func (r *Responder) internal(what string, c linktoken.Claims, err error) error {
	r.log.Error("direct contact answer failed", "step", what, "link", c.ID(), "error", err)
	return errInternal
}

func (r Reason) code() string {
	switch r {
	case RefusedInvalid:
		return "invalid"
	case RefusedExpired:
		return "expired"
	case RefusedUsed:
		return "used"
	case RefusedClosed:
		return "closed"
	case RefusedBusy:
		return "busy"
	}
	return "unknown"
}
