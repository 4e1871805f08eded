package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// pollAfter is what asynchronous answers suggest; hosts bound it anyway.
const pollAfter = time.Second

// crashExitCode is the status the process exits with on crash_on.
const crashExitCode = 3

// connector plays a third party of any integration type. Its answers are
// a pure function of settings and job, so the same job gives the same
// answer; pending jobs keep their state in the handle.
type connector struct {
	typ  sdk.IntegrationType
	exit func(code int)

	mu       sync.Mutex
	settings settings
	// answers remembers each job's first answer by operation and
	// idempotency key: a redelivered job gets it again, with no second
	// side effect.
	answers map[string]any
	// sideEffects counts the deletions actually performed.
	sideEffects int
}

var (
	_ sdk.AccessPoller = (*connector)(nil)
	_ sdk.DeletePoller = (*connector)(nil)
)

func newConnector(typ sdk.IntegrationType, exit func(int)) *connector {
	return &connector{typ: typ, exit: exit, settings: defaultSettings(), answers: map[string]any{}}
}

func (c *connector) Describe(context.Context) (*sdk.Description, error) {
	caps := []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete}
	if c.typ == sdk.WholeRecordDeletionAPI {
		caps = []sdk.Capability{sdk.CapabilityDelete}
	}
	return &sdk.Description{
		Name:         "testconnector",
		Version:      "0.1.0",
		Description:  "Plays a third party of any integration type for dsrhost's own tests.",
		Type:         c.typ,
		Capabilities: caps,
		Settings:     schema(),
	}, nil
}

func (c *connector) Configure(_ context.Context, req *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	s, diags := decodeSettings(req.Settings)
	resp := &sdk.ConfigureResponse{Diagnostics: diags}
	if !resp.HasErrors() {
		c.mu.Lock()
		c.settings = s
		c.mu.Unlock()
	}
	sdk.Logger().Info("configured", "integration", req.Integration, "diagnostics", len(diags))
	return resp, nil
}

func (c *connector) current() settings {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.settings
}

// begin runs what every job call does first: crash when told to, fail
// when told to.
func (c *connector) begin(s settings, point string, job sdk.Job) error {
	time.Sleep(s.Delay)
	if s.CrashOn != "" && s.CrashOn == point {
		sdk.Logger().Warn("crashing as configured", "during", point)
		c.exit(crashExitCode)
	}
	if s.FailWith != "" && s.Leak {
		// A careless connector quoting what it was given; the daemon
		// must redact it.
		sdk.Logger().Error("failing for "+job.Subject.Email, "token", s.Token, "user", job.Subject.UserID)
		return sdk.Errorf(s.FailWith, "the test system refused %s (token %s)", job.Subject.Email, s.Token).
			WithStatus(s.FailStatus).
			WithRemediation("Ask the test system about " + job.Subject.Email + ".")
	}
	if s.FailWith != "" {
		return sdk.Errorf(s.FailWith, "the test system failed as configured").
			WithStatus(s.FailStatus).
			WithRemediation("Clear settings.fail_with to let jobs succeed.")
	}
	return nil
}

// once returns the answer remembered for key, or computes and remembers it.
func once[R any](c *connector, key string, f func() *R) *R {
	c.mu.Lock()
	defer c.mu.Unlock()
	if key != "" {
		if prev, ok := c.answers[key].(*R); ok {
			return prev
		}
	}
	r := f()
	if key != "" {
		c.answers[key] = r
	}
	return r
}

func (c *connector) async() bool {
	return c.typ == sdk.AsynchronousAPI || c.typ == sdk.DirectContact
}

func (c *connector) Access(_ context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	s := c.current()
	defer record(s, "access", req.Job.IdempotencyKey)()
	if err := c.begin(s, "access", req.Job); err != nil {
		return nil, err
	}
	subject := subjectHash(req.Job.Subject)
	resp := once(c, "access/"+req.Job.IdempotencyKey, func() *sdk.AccessResponse {
		if c.async() {
			return &sdk.AccessResponse{Pending: &sdk.Pending{
				Handle:    handle{Op: "access", Left: s.Polls, Count: s.Records, Subject: subject}.encode(),
				PollAfter: pollAfter,
			}}
		}
		return c.found(subject, s.Records)
	})
	if log := sdk.Logger(); log.IsDebug() {
		// A line per job call is debug detail: at the daemon's default
		// info level it is never formatted nor sent.
		log.Debug("access answered", "integration", req.Job.Integration, "pending", resp.Pending != nil)
	}
	return resp, nil
}

func (c *connector) PollAccess(_ context.Context, req *sdk.PollRequest) (*sdk.AccessResponse, error) {
	s := c.current()
	defer record(s, "poll-access", req.Job.IdempotencyKey)()
	if err := c.begin(s, "poll", req.Job); err != nil {
		return nil, err
	}
	h, err := decodeHandle(req.Handle, "access")
	if err != nil {
		return nil, err
	}
	if h.Left > 0 {
		h.Left--
		return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: h.encode(), PollAfter: pollAfter}}, nil
	}
	return c.found(h.Subject, h.Count), nil
}

// found is the finished access: records for API types, uploaded files for
// Direct Contact, and an identifier for the integrations that depend on it.
func (c *connector) found(subject string, n int) *sdk.AccessResponse {
	resp := &sdk.AccessResponse{Identifiers: map[string]string{"user_id": "u-" + subject}}
	for i := 1; i <= n; i++ {
		if c.typ == sdk.DirectContact {
			resp.Files = append(resp.Files, sdk.File{
				Name:        fmt.Sprintf("export-%d.csv", i),
				ContentType: "text/csv",
				Content:     fmt.Appendf(nil, "user_id,item\nu-%s,%d\n", subject, i),
			})
			continue
		}
		data, _ := json.Marshal(map[string]any{"user_id": "u-" + subject, "item": i})
		resp.Records = append(resp.Records, sdk.Record{ID: fmt.Sprintf("%s-%d", subject, i), Kind: "event", Data: data})
	}
	return resp
}

func (c *connector) Delete(_ context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	s := c.current()
	defer record(s, "delete", req.Job.IdempotencyKey)()
	if err := c.begin(s, "delete", req.Job); err != nil {
		return nil, err
	}
	resp := once(c, "delete/"+req.Job.IdempotencyKey, func() *sdk.DeleteResponse {
		if c.async() {
			return &sdk.DeleteResponse{Pending: &sdk.Pending{
				Handle:    handle{Op: "delete", Left: s.Polls, Count: len(req.Records), Subject: subjectHash(req.Job.Subject)}.encode(),
				PollAfter: pollAfter,
			}}
		}
		c.sideEffects++ // called with c.mu held
		return c.deleted(len(req.Records))
	})
	if log := sdk.Logger(); log.IsDebug() {
		c.mu.Lock()
		performed := c.sideEffects
		c.mu.Unlock()
		log.Debug("delete answered", "integration", req.Job.Integration, "pending", resp.Pending != nil, "deletions_performed", performed)
	}
	return resp, nil
}

func (c *connector) PollDelete(_ context.Context, req *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	s := c.current()
	defer record(s, "poll-delete", req.Job.IdempotencyKey)()
	if err := c.begin(s, "poll", req.Job); err != nil {
		return nil, err
	}
	h, err := decodeHandle(req.Handle, "delete")
	if err != nil {
		return nil, err
	}
	if h.Left > 0 {
		h.Left--
		return &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: h.encode(), PollAfter: pollAfter}}, nil
	}
	return c.deleted(h.Count), nil
}

// deleted is the finished deletion: by identity for Whole-Record Deletion
// and Direct Contact ("Deletion done"), else record by record.
func (c *connector) deleted(n int) *sdk.DeleteResponse {
	if c.typ == sdk.WholeRecordDeletionAPI || c.typ == sdk.DirectContact {
		return &sdk.DeleteResponse{WholeRecord: true}
	}
	return &sdk.DeleteResponse{RecordsDeleted: int64(n)}
}

// subjectHash stands in for the third party's user id: stable per subject
// and free of personal data.
func subjectHash(s sdk.Subject) string {
	sum := sha256.Sum256([]byte(s.Email + "\x00" + s.UserID + "\x00" + s.Phone))
	return hex.EncodeToString(sum[:6])
}

// handle is a pending job's whole state, so any instance of the process
// (even after a restart) can answer a poll.
type handle struct {
	Op      string `json:"op"`
	Left    int    `json:"left"`
	Count   int    `json:"count"`
	Subject string `json:"subject"`
}

func (h handle) encode() string {
	b, _ := json.Marshal(h)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeHandle(s, op string) (handle, error) {
	var h handle
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &h)
	}
	if err != nil || h.Op != op {
		return handle{}, sdk.Errorf(sdk.ErrorNotFound, "the test system knows no pending %s job with this handle", op)
	}
	return h, nil
}
