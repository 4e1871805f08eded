package sdktest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/sdk"
)

// knownErrorTypes are the error types the daemon understands.
var knownErrorTypes = []sdk.ErrorType{
	sdk.ErrorAuth, sdk.ErrorPermission, sdk.ErrorRateLimited, sdk.ErrorNotFound,
	sdk.ErrorUnavailable, sdk.ErrorTimeout, sdk.ErrorInvalidConfig,
	sdk.ErrorPluginCrashed, sdk.ErrorInternal,
}

func (h *harness) job(c sdk.Capability, rt sdk.RequestType) sdk.Job {
	return sdk.Job{
		IdempotencyKey: "sdktest-" + c.String() + "-1",
		RequestID:      "sdktest-request-1",
		RequestType:    rt,
		Subject:        h.cfg.Subject,
		Integration:    "sdktest",
	}
}

// access runs the access checks and returns the records found, for delete.
func (h *harness) access() []sdk.Record {
	h.t.Helper()
	const check = "Access"
	job := h.job(sdk.CapabilityAccess, sdk.RequestAccess)
	call := func() (*sdk.AccessResponse, error) {
		ctx, cancel := h.ctx()
		defer cancel()
		return h.remote.Access(ctx, &sdk.AccessRequest{Job: job})
	}
	first, err1 := call()
	second, err2 := call()
	if !sameOutcome(h, check, first, err1, second, err2) {
		return nil
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
			return nil
		}
	}
	for i, r := range final.Records {
		if len(r.Data) > 0 && !isJSONObject(r.Data) {
			h.t.Errorf("%s: record %d: Data is not a JSON object", check, i)
		}
	}
	return final.Records
}

func (h *harness) delete(records []sdk.Record) {
	h.t.Helper()
	const check = "Delete"
	job := h.job(sdk.CapabilityDelete, sdk.RequestDeletion)
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
}

// sameOutcome checks that a job delivered twice with one idempotency key
// succeeded both times with equal answers; false means the job's later
// checks cannot run.
func sameOutcome[R any](h *harness, check string, first *R, err1 error, second *R, err2 error) bool {
	h.t.Helper()
	for i, err := range []error{err1, err2} {
		if err != nil {
			h.checkErrorShape(check, err)
			h.t.Errorf("%s: delivery %d of the job failed with ValidSettings: %s", check, i+1, errText(err))
		}
	}
	if err1 != nil || err2 != nil {
		return false
	}
	if diff := cmp.Diff(first, second); diff != "" {
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
