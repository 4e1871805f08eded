package connector

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/internal/testclock"
	"github.com/dsrhost/dsrhost/plugins/directcontact/internal/smtptest"
	"github.com/dsrhost/dsrhost/sdk"
)

// t0 is when the tests' first emails go out.
var t0 = time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// The subject's identifiers and the link: they must reach the processor and
// nothing else.
const (
	subjectEmail  = "ada.lovelace@example.org"
	subjectPhone  = "+44 20 7946 0018"
	subjectUserID = "user-1815"
	subjectCRMID  = "crm-77301"
	responseURL   = "https://privacy.example.com/respond/tok-9f3a1c7e5b2d4a68"
)

// harness is a connector with a test clock and a captured log.
type harness struct {
	c     *Connector
	clock *testclock.Clock
	logs  *testlog.Buffer
}

func newHarness() *harness {
	h := &harness{clock: testclock.New(t0), logs: &testlog.Buffer{}}
	h.c = New(WithClock(h.clock.Now), WithTimeout(10*time.Second),
		WithLogger(hclog.New(&hclog.LoggerOptions{Output: h.logs, Level: hclog.Trace})))
	return h
}

// baseSettings points at sink without TLS or login; edit adjusts them.
func baseSettings(sink *smtptest.Server, edit func(s, smtp map[string]any)) sdk.Settings {
	smtpBlock := map[string]any{"host": sink.Host, "port": sink.Port, "tls": "none"}
	s := map[string]any{
		"to":   []string{"dpo@vendor.example", "Vendor Privacy <privacy@vendor.example>"},
		"cc":   []string{"privacy@example.com"},
		"from": "Example Privacy Team <privacy@example.com>",
		"smtp": smtpBlock,
	}
	if edit != nil {
		edit(s, smtpBlock)
	}
	b, _ := json.Marshal(s) // strings, numbers and lists always marshal
	return sdk.Settings(b)
}

// configure runs Configure for the integration "acme-support".
func (h *harness) configure(t *testing.T, settings sdk.Settings) []sdk.Diagnostic {
	t.Helper()
	resp, err := h.c.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "acme-support", Settings: settings})
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
	return resp.Diagnostics
}

// mustConfigure configures and fails the test on any diagnostic.
func (h *harness) mustConfigure(t *testing.T, settings sdk.Settings) {
	t.Helper()
	if diags := h.configure(t, settings); len(diags) > 0 {
		t.Fatalf("Configure diagnostics: %+v", diags)
	}
}

// testJob is a job due 14 days after t0.
func testJob(key string, rt sdk.RequestType) sdk.Job {
	return sdk.Job{
		IdempotencyKey: key,
		RequestID:      "01JBQ7ZKX3M4N5P6Q7R8S9T0VW",
		RequestType:    rt,
		Integration:    "acme-support",
		Subject: sdk.Subject{
			Email:       subjectEmail,
			Phone:       subjectPhone,
			UserID:      subjectUserID,
			Identifiers: map[string]string{"crm_id": subjectCRMID},
		},
		ResponseURL: responseURL,
		RespondBy:   t0.Add(14 * day),
	}
}

// access calls Access and fails the test on error.
func (h *harness) access(t *testing.T, job sdk.Job) *sdk.Pending {
	t.Helper()
	resp, err := h.c.Access(context.Background(), &sdk.AccessRequest{Job: job})
	if err != nil {
		t.Fatalf("Access: %v", err)
	}
	if resp.Pending == nil || resp.Pending.Handle == "" {
		t.Fatalf("Access answered %+v, want Pending with a handle", resp)
	}
	return resp.Pending
}

// pollAccess calls PollAccess and fails the test on error.
func (h *harness) pollAccess(t *testing.T, job sdk.Job, handle string) *sdk.Pending {
	t.Helper()
	resp, err := h.c.PollAccess(context.Background(), &sdk.PollRequest{Job: job, Handle: handle})
	if err != nil {
		t.Fatalf("PollAccess: %v", err)
	}
	if resp.Pending == nil || resp.Pending.Handle == "" {
		t.Fatalf("PollAccess answered %+v, want Pending with a handle", resp)
	}
	return resp.Pending
}
