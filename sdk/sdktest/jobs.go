package sdktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dsrhost/dsrhost/sdk"
)

// knownErrorTypes are the error types the daemon understands.
var knownErrorTypes = []sdk.ErrorType{
	sdk.ErrorAuth, sdk.ErrorPermission, sdk.ErrorRateLimited, sdk.ErrorNotFound,
	sdk.ErrorUnavailable, sdk.ErrorTimeout, sdk.ErrorInvalidConfig,
	sdk.ErrorPluginCrashed, sdk.ErrorInternal,
}

// job is the job the harness sends to integration for capability c; seq
// tells apart the jobs of one integration and capability (a redelivery
// keeps it).
func (h *harness) job(integration string, c sdk.Capability, rt sdk.RequestType, seq int) sdk.Job {
	return sdk.Job{
		IdempotencyKey: fmt.Sprintf("sdktest-%s-%s-%d", integration, c, seq),
		RequestID:      "sdktest-request-1",
		RequestType:    rt,
		Subject:        h.cfg.Subject,
		Integration:    integration,
	}
}

// jobs runs the job checks on integration A, then configures B beside it
// and checks that A's calls still reach A's settings.
func (h *harness) jobs(d *sdk.Description) {
	h.t.Helper()
	var recordsA, recordsB []sdk.Record
	accessOK := true
	if d.Can(sdk.CapabilityAccess) {
		recordsA, accessOK = h.access(integrationA, 1)
	}

	second := h.cfg.SecondSettings
	if second == nil {
		second = h.cfg.ValidSettings
	}
	const checkOnly = "Configure the second integration's settings with ValidateOnly on the first"
	if resp, ok := h.configureWith(checkOnly, integrationA, d.Settings, second, true); ok && resp.HasErrors() {
		h.t.Errorf("%s: want no error diagnostic, got %s", checkOnly, listDiagnostics(resp))
	}
	const valid = "Configure with SecondSettings"
	resp, ok := h.configureWith(valid, integrationB, d.Settings, second, false)
	configuredB := ok && !resp.HasErrors()
	if ok && resp.HasErrors() {
		h.t.Errorf("%s (integration %q): want no error diagnostic, got %s", valid, integrationB, listDiagnostics(resp))
	}
	if configuredB {
		h.did("%s (integration %q) beside %q in the same process: no error", valid, integrationB, integrationA)
	}

	if d.Can(sdk.CapabilityAccess) && configuredB && accessOK {
		recordsB, _ = h.access(integrationB, 1)
		again, ok := h.access(integrationA, 2)
		h.checkIsolation(recordsA, recordsB, again, ok)
	}
	if d.Can(sdk.CapabilityDelete) {
		h.delete(integrationA, recordsA)
		if configuredB {
			h.delete(integrationB, recordsB)
		}
	}
}

// checkIsolation compares integration A's records before and after B was
// configured (after a ValidateOnly Configure of A with B's settings, too).
func (h *harness) checkIsolation(before, other, after []sdk.Record, ok bool) {
	h.t.Helper()
	const check = "Two integrations in one process"
	if !ok {
		return
	}
	if diff := cmp.Diff(before, after, recordsAsSet); diff != "" {
		h.t.Errorf("%s: after configuring %q (and checking its settings on %q with ValidateOnly), Access on %q "+
			"answered differently: calls must reach their own integration's settings; keep settings per "+
			"integration, never in globals, and never apply a ValidateOnly Configure (-before +after):\n%s",
			check, integrationB, integrationA, integrationA, diff)
		return
	}
	if h.cfg.SecondSettings != nil && cmp.Equal(before, other, recordsAsSet) {
		h.t.Logf("sdktest: ValidSettings and SecondSettings found the same records, so the isolation of the two " +
			"integrations was not shown; point SecondSettings at a second fake holding other records for the subject")
	}
	h.did("%s: Access on %q answered the same before and after %q was configured", check, integrationA, integrationB)
}

// recordsAsSet compares records and files in any order: third parties do
// not promise one.
var recordsAsSet = cmp.Options{
	cmpopts.SortSlices(func(a, b sdk.Record) bool {
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return string(a.Data) < string(b.Data)
	}),
	cmpopts.SortSlices(func(a, b sdk.File) bool { return a.Name < b.Name }),
	cmpopts.EquateEmpty(),
}

// access runs the access checks on integration and returns the records
// found, for delete; ok is false when the job failed.
func (h *harness) access(integration string, seq int) ([]sdk.Record, bool) {
	h.t.Helper()
	check := fmt.Sprintf("Access (integration %q)", integration)
	job := h.job(integration, sdk.CapabilityAccess, sdk.RequestAccess, seq)
	call := func() (*sdk.AccessResponse, error) {
		ctx, cancel := h.ctx()
		defer cancel()
		return h.remote.Access(ctx, &sdk.AccessRequest{Job: job})
	}
	first, err1 := call()
	second, err2 := call()
	if !sameOutcome(h, check, first, err1, second, err2) {
		return nil, false
	}
	final := first
	if first.Pending != nil {
		done := h.poll(check, job, first.Pending, func(ctx context.Context, req *sdk.PollRequest) (*sdk.Pending, error) {
			resp, err := h.remote.PollAccess(ctx, req)
			if err != nil {
				return nil, err
			}
			final = resp
			return resp.Pending, nil
		})
		if !done {
			return nil, false
		}
	}
	for i, r := range final.Records {
		if len(r.Data) > 0 && !isJSONObject(r.Data) {
			h.t.Errorf("%s: record %d: Data is not a JSON object", check, i)
		}
	}
	h.did("%s: the same job twice gave the same answer (%d records, compared as a set)", check, len(final.Records))
	return final.Records, true
}

func (h *harness) delete(integration string, records []sdk.Record) {
	h.t.Helper()
	check := fmt.Sprintf("Delete (integration %q)", integration)
	job := h.job(integration, sdk.CapabilityDelete, sdk.RequestDeletion, 1)
	call := func() (*sdk.DeleteResponse, error) {
		ctx, cancel := h.ctx()
		defer cancel()
		return h.remote.Delete(ctx, &sdk.DeleteRequest{Job: job, Records: records})
	}
	first, err1 := call()
	second, err2 := call()
	if !sameOutcome(h, check, first, err1, second, err2) {
		return
	}
	final := first
	if first.Pending != nil {
		done := h.poll(check, job, first.Pending, func(ctx context.Context, req *sdk.PollRequest) (*sdk.Pending, error) {
			resp, err := h.remote.PollDelete(ctx, req)
			if err != nil {
				return nil, err
			}
			final = resp
			return resp.Pending, nil
		})
		if !done {
			return
		}
	}
	if final.RecordsDeleted < 0 {
		h.t.Errorf("%s: RecordsDeleted is negative", check)
	}
	h.did("%s: the same job twice (%d records given) gave the same answer", check, len(records))
}

// sameOutcome checks that a job delivered twice with one idempotency key
// succeeded both times with equal answers; false means the job's later
// checks cannot run.
func sameOutcome[R any](h *harness, check string, first *R, err1 error, second *R, err2 error) bool {
	h.t.Helper()
	for i, err := range []error{err1, err2} {
		if err != nil {
			h.checkErrorShape(check, err)
			h.t.Errorf("%s: delivery %d of the job failed with valid settings: %s", check, i+1, errText(err))
		}
	}
	if err1 != nil || err2 != nil {
		return false
	}
	if diff := cmp.Diff(first, second, recordsAsSet); diff != "" {
		h.t.Errorf("%s: the same job with the same idempotency key gave different answers; "+
			"a redelivered job must get the first answer and do no work twice (-first +second):\n%s", check, diff)
		return false
	}
	return true
}

// poll follows a Pending answer until call reports no more Pending,
// within cfg.MaxPolls polls.
func (h *harness) poll(check string, job sdk.Job, p *sdk.Pending, call func(context.Context, *sdk.PollRequest) (*sdk.Pending, error)) bool {
	h.t.Helper()
	for n := 1; n <= h.cfg.MaxPolls; n++ {
		if p.Handle == "" {
			h.t.Errorf("%s: Pending answer has an empty handle", check)
			return false
		}
		if p.PollAfter < 0 {
			h.t.Errorf("%s: Pending answer has a negative PollAfter", check)
		}
		if h.cfg.PollInterval > 0 {
			time.Sleep(h.cfg.PollInterval)
		}
		ctx, cancel := h.ctx()
		next, err := call(ctx, &sdk.PollRequest{Job: job, Handle: p.Handle})
		cancel()
		if err != nil {
			h.checkErrorShape(check+" poll", err)
			h.t.Errorf("%s: poll %d failed: %s", check, n, errText(err))
			return false
		}
		if next == nil {
			return true
		}
		p = next
	}
	if h.waitsOnPerson {
		// A Direct Contact job stays Pending until the processor answers
		// the daemon; answering Pending with a handle every time is right.
		return true
	}
	h.t.Errorf("%s: still pending after %d polls; a pending job must reach a terminal state "+
		"(raise Config.MaxPolls if the connector needs more)", check, h.cfg.MaxPolls)
	return false
}

// checkErrorShape reports an error the daemon could not classify or show.
func (h *harness) checkErrorShape(check string, err error) {
	h.t.Helper()
	var e *sdk.Error
	if !errors.As(err, &e) {
		h.t.Errorf("%s: error is a %T, not an *sdk.Error", check, err)
		return
	}
	if !slices.Contains(knownErrorTypes, e.Type) {
		h.t.Errorf("%s: error has no known type (got %q); use one of the sdk.Error* types", check, e.Type)
	}
	if strings.TrimSpace(e.Message) == "" {
		h.t.Errorf("%s: error of type %q has an empty message", check, e.Type)
	}
	if e.StatusCode < 0 {
		h.t.Errorf("%s: error has a negative status code", check)
	}
	h.checkLeaks(check+": error", e.Message+" "+e.Remediation)
}

// checkLeaks reports text quoting the subject's identifiers or a
// Sensitive setting's value. The daemon redacts them anyway, but a
// connector must not rely on it: its own logs and the third party's
// support tickets see them first.
func (h *harness) checkLeaks(check, text string) {
	h.t.Helper()
	lower := strings.ToLower(text)
	s := h.cfg.Subject
	for what, v := range map[string]string{"email": s.Email, "phone": s.Phone, "user id": s.UserID} {
		if len(v) >= 4 && strings.Contains(lower, strings.ToLower(v)) {
			h.t.Errorf("%s quotes the subject's %s; errors must hold no personal data", check, what)
		}
	}
	for _, v := range h.secrets {
		if len(v) >= 4 && strings.Contains(text, v) {
			h.t.Errorf("%s quotes the value of a Sensitive setting; errors must hold no secret", check)
		}
	}
}

// errText is err's text, or a word for an error that has none.
func errText(err error) string {
	var e *sdk.Error
	if errors.As(err, &e) && e.Type == "" && strings.TrimSpace(e.Message) == "" {
		return "an *sdk.Error with no type and no message"
	}
	return err.Error()
}

func isJSONObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
}
