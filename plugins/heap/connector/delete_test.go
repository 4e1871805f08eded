package connector_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/plugins/heap/fakeheap"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestDeleteSubmitsUsers(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]any
		subject   sdk.Subject
		want      []fakeheap.User
	}{
		{name: "email is the identity by default", subject: subject,
			want: []fakeheap.User{{Identity: email}}},
		{name: "send_user_id adds a user_id entry", overrides: map[string]any{"send_user_id": true}, subject: subject,
			want: []fakeheap.User{{Identity: email}, {UserID: userID}}},
		{name: "send_user_id without a user id", overrides: map[string]any{"send_user_id": true},
			subject: sdk.Subject{Email: email}, want: []fakeheap.User{{Identity: email}}},
		{name: "phone as identity", overrides: map[string]any{"identity_field": "phone"}, subject: subject,
			want: []fakeheap.User{{Identity: phone}}},
		{name: "user_id as identity", overrides: map[string]any{"identity_field": "user_id"}, subject: subject,
			want: []fakeheap.User{{Identity: userID}}},
		{name: "further identifier as identity", overrides: map[string]any{"identity_field": "loyalty_id"}, subject: subject,
			want: []fakeheap.User{{Identity: loyalty}}},
		{name: "identity missing, user id sent alone", overrides: map[string]any{"identity_field": "phone", "send_user_id": true},
			subject: sdk.Subject{Email: email, UserID: userID}, want: []fakeheap.User{{UserID: userID}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakeheap.Config{})
			e.configure(t, tt.overrides)
			j := job("k1")
			j.Subject = tt.subject
			resp, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: j})
			if err != nil {
				t.Fatalf("Delete: %v", err)
			}
			dels := e.fake.Deletions()
			if len(dels) != 1 {
				t.Fatalf("%d deletion requests, want 1", len(dels))
			}
			if diff := cmp.Diff(tt.want, dels[0].Users); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			want := &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: dels[0].ID, PollAfter: time.Hour}}
			if diff := cmp.Diff(want, resp); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeleteWithoutIdentifier(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	e.configure(t, map[string]any{"identity_field": "phone"})
	j := job("k1")
	j.Subject = sdk.Subject{Email: email, UserID: userID} // no phone; user id not sent
	_, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: j})
	got := sdk.AsError(err)
	if got == nil || got.Type != sdk.ErrorInvalidConfig || got.Retryable || !strings.Contains(got.Message, `"phone"`) {
		t.Fatalf("Delete: %v, want a non-retryable invalid_config naming the phone identifier", err)
	}
	assertNoLeak(t, "error", errText(got))
	if n := e.fake.Calls(fakeheap.EndpointUserDeletion); n != 0 {
		t.Fatalf("called user_deletion %d times", n)
	}
}

func TestDeleteBeforeConfigure(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	for name, call := range map[string]func() error{
		"Delete": func() error {
			_, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k")})
			return err
		},
		"PollDelete": func() error {
			_, err := e.heap.PollDelete(context.Background(), &sdk.PollRequest{Job: job("k"), Handle: "x"})
			return err
		},
	} {
		if got := sdk.AsError(call()); got == nil || got.Type != sdk.ErrorInvalidConfig {
			t.Errorf("%s before Configure: %v, want invalid_config", name, got)
		}
	}
}

func TestDeleteIsIdempotentPerJobKey(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	e.configure(t, nil)
	ctx := context.Background()
	first, err := e.heap.Delete(ctx, &sdk.DeleteRequest{Job: job("attempt-1")})
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.heap.Delete(ctx, &sdk.DeleteRequest{Job: job("attempt-1")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("same key, different answers (-first +again):\n%s", diff)
	}
	if n := len(e.fake.Deletions()); n != 1 {
		t.Fatalf("same key submitted %d times, want once", n)
	}
	other, err := e.heap.Delete(ctx, &sdk.DeleteRequest{Job: job("attempt-2")})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Deletions()); n != 2 || other.Pending.Handle == first.Pending.Handle {
		t.Fatalf("another key: %d deletions, handle reused = %v; want a second submission", n, other.Pending.Handle == first.Pending.Handle)
	}
}

func TestConcurrentDuplicatesSubmitOnce(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	e.configure(t, nil)
	const n = 8
	handles := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("same")})
			errs[i] = err
			if err == nil {
				handles[i] = resp.Pending.Handle
			}
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || handles[i] != handles[0] {
			t.Fatalf("delivery %d: %v handle %q, want handle %q", i, errs[i], handles[i], handles[0])
		}
	}
	if got := len(e.fake.Deletions()); got != 1 {
		t.Fatalf("%d concurrent deliveries submitted %d times, want once", n, got)
	}
}

// A failed submission is not remembered: delivering the job again submits.
func TestFailedSubmissionIsRetried(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	e.configure(t, nil)
	e.fake.Fail(fakeheap.EndpointUserDeletion, fakeheap.Fault{Status: 503})
	if _, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k")}); err == nil {
		t.Fatal("Delete succeeded despite a 503")
	}
	if _, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k")}); err != nil {
		t.Fatalf("redelivery: %v", err)
	}
	if got := len(e.fake.Deletions()); got != 1 {
		t.Fatalf("%d deletions, want 1", got)
	}
}

// Reconfiguring for another Heap account forgets the job keys: the same job
// must really be submitted to the new account.
func TestReconfigureForAnotherAccountForgetsKeys(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	other := newEnv(t, fakeheap.Config{})
	e.configure(t, nil)
	if _, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k")}); err != nil {
		t.Fatal(err)
	}
	e.configure(t, map[string]any{"base_url": other.url})
	if _, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k")}); err != nil {
		t.Fatal(err)
	}
	if got := len(other.fake.Deletions()); got != 1 {
		t.Fatalf("new account got %d deletions, want 1", got)
	}
}

func TestPollDeleteProgression(t *testing.T) {
	e := newEnv(t, fakeheap.Config{PendingPolls: 2})
	e.configure(t, nil)
	ctx := context.Background()
	resp, err := e.heap.Delete(ctx, &sdk.DeleteRequest{Job: job("k")})
	if err != nil {
		t.Fatal(err)
	}
	handle := resp.Pending.Handle
	pending := &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: handle, PollAfter: time.Hour}}
	done := &sdk.DeleteResponse{WholeRecord: true}
	for i, want := range []*sdk.DeleteResponse{pending, pending, done} {
		got, err := e.heap.PollDelete(ctx, &sdk.PollRequest{Job: job("k"), Handle: handle})
		if err != nil {
			t.Fatalf("poll %d: %v", i+1, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("poll %d (-want +got):\n%s", i+1, diff)
		}
	}
}

func TestPollDeleteUnknownHandle(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	e.configure(t, nil)
	for _, handle := range []string{"no-such-request", "../user_deletion"} {
		_, err := e.heap.PollDelete(context.Background(), &sdk.PollRequest{Job: job("k"), Handle: handle})
		if got := sdk.AsError(err); got == nil || got.Type != sdk.ErrorNotFound || got.StatusCode != 404 {
			t.Errorf("handle %q: %v, want not_found 404", handle, err)
		}
	}
	_, err := e.heap.PollDelete(context.Background(), &sdk.PollRequest{Job: job("k")})
	if got := sdk.AsError(err); got == nil || got.Type != sdk.ErrorInternal {
		t.Errorf("empty handle: %v, want internal", err)
	}
}

// Every refusal from user_deletion and deletion_status maps to an error
// type, keeping the status code, with a remediation and without the
// subject's identifiers.
func TestErrorMapping(t *testing.T) {
	httpDate := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		fault      fakeheap.Fault
		timeout    string
		wantType   sdk.ErrorType
		wantCode   int
		retryable  bool
		retryAfter func(time.Duration) bool
	}{
		{name: "401 twice", fault: fakeheap.Fault{Status: 401}, wantType: sdk.ErrorAuth, wantCode: 401},
		{name: "403", fault: fakeheap.Fault{Status: 403}, wantType: sdk.ErrorPermission, wantCode: 403},
		{name: "400", fault: fakeheap.Fault{Status: 400, Body: `{"err":"users[0] bad: ` + email + `"}`},
			wantType: sdk.ErrorInternal, wantCode: 400},
		{name: "429 with Retry-After seconds", fault: fakeheap.Fault{Status: 429, Header: http.Header{"Retry-After": {"7"}}},
			wantType: sdk.ErrorRateLimited, wantCode: 429, retryable: true,
			retryAfter: func(d time.Duration) bool { return d == 7*time.Second }},
		{name: "429 with Retry-After date", fault: fakeheap.Fault{Status: 429, Header: http.Header{"Retry-After": {httpDate}}},
			wantType: sdk.ErrorRateLimited, wantCode: 429, retryable: true,
			retryAfter: func(d time.Duration) bool { return d > 58*time.Minute && d <= time.Hour }},
		{name: "429 without Retry-After", fault: fakeheap.Fault{Status: 429},
			wantType: sdk.ErrorRateLimited, wantCode: 429, retryable: true,
			retryAfter: func(d time.Duration) bool { return d == 0 }},
		{name: "500", fault: fakeheap.Fault{Status: 500}, wantType: sdk.ErrorUnavailable, wantCode: 500, retryable: true},
		{name: "502", fault: fakeheap.Fault{Status: 502}, wantType: sdk.ErrorUnavailable, wantCode: 502, retryable: true},
		{name: "503", fault: fakeheap.Fault{Status: 503}, wantType: sdk.ErrorUnavailable, wantCode: 503, retryable: true},
		{name: "malformed JSON", fault: fakeheap.Fault{Status: 200, Body: `{"deletion_request_id":`},
			wantType: sdk.ErrorInternal, wantCode: 200},
		{name: "timeout", fault: fakeheap.Fault{Hang: true}, timeout: "100ms",
			wantType: sdk.ErrorTimeout, retryable: true},
	}
	endpoints := []struct {
		endpoint fakeheap.Endpoint
		call     func(e *env, handle string) error
	}{
		{fakeheap.EndpointUserDeletion, func(e *env, _ string) error {
			_, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("fresh")})
			return err
		}},
		{fakeheap.EndpointDeletionStatus, func(e *env, handle string) error {
			_, err := e.heap.PollDelete(context.Background(), &sdk.PollRequest{Job: job("k"), Handle: handle})
			return err
		}},
	}
	for _, ep := range endpoints {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%s", ep.endpoint, tt.name), func(t *testing.T) {
				e := newEnv(t, fakeheap.Config{PendingPolls: 5})
				overrides := map[string]any{"send_user_id": true}
				if tt.timeout != "" {
					overrides["timeout"] = tt.timeout
				}
				e.configure(t, overrides)
				resp, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k")})
				if err != nil {
					t.Fatal(err)
				}
				faults := []fakeheap.Fault{tt.fault}
				if tt.fault.Status == 401 { // the connector retries once with a fresh token
					faults = append(faults, tt.fault)
				}
				e.fake.Fail(ep.endpoint, faults...)
				got := sdk.AsError(ep.call(e, resp.Pending.Handle))
				if got == nil {
					t.Fatal("no error")
				}
				if got.Type != tt.wantType || got.StatusCode != tt.wantCode || got.Retryable != tt.retryable {
					t.Errorf("got %v retryable=%v, want %s status %d retryable=%v", got, got.Retryable, tt.wantType, tt.wantCode, tt.retryable)
				}
				if tt.retryAfter != nil && !tt.retryAfter(got.RetryAfter) {
					t.Errorf("RetryAfter = %v", got.RetryAfter)
				}
				if got.Remediation == "" {
					t.Error("no remediation")
				}
				assertNoLeak(t, "error", errText(got))
			})
		}
	}
}

func TestMalformedAnswers(t *testing.T) {
	tests := []struct {
		name     string
		endpoint fakeheap.Endpoint
		body     string
	}{
		{"deletion without an id", fakeheap.EndpointUserDeletion, `{"status":"pending"}`},
		{"deletion answer not an object", fakeheap.EndpointUserDeletion, `["x"]`},
		{"unknown status", fakeheap.EndpointDeletionStatus, `{"status":"exploded"}`},
		{"status missing", fakeheap.EndpointDeletionStatus, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakeheap.Config{PendingPolls: 5})
			e.configure(t, nil)
			resp, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k")})
			if err != nil {
				t.Fatal(err)
			}
			e.fake.Fail(tt.endpoint, fakeheap.Fault{Status: 200, Body: tt.body})
			if tt.endpoint == fakeheap.EndpointUserDeletion {
				_, err = e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k2")})
			} else {
				_, err = e.heap.PollDelete(context.Background(), &sdk.PollRequest{Job: job("k"), Handle: resp.Pending.Handle})
			}
			if got := sdk.AsError(err); got == nil || got.Type != sdk.ErrorInternal || got.Retryable {
				t.Fatalf("got %v, want non-retryable internal", err)
			}
		})
	}
}

// Heap's leaky bucket: a 429 carries Heap's wait, and the job succeeds once
// it is over.
func TestRateLimitBurst(t *testing.T) {
	e := newEnv(t, fakeheap.Config{BucketSize: 2, LeakInterval: 2 * time.Second})
	e.configure(t, nil) // auth_token fills one unit
	ctx := context.Background()
	if _, err := e.heap.Delete(ctx, &sdk.DeleteRequest{Job: job("a")}); err != nil {
		t.Fatal(err)
	}
	_, err := e.heap.Delete(ctx, &sdk.DeleteRequest{Job: job("b")})
	got := sdk.AsError(err)
	if got == nil || got.Type != sdk.ErrorRateLimited || got.StatusCode != 429 || got.RetryAfter != 2*time.Second {
		t.Fatalf("burst: %v (retry after %v), want rate_limited 429 after 2s", err, got.RetryAfter)
	}
	e.fake.Advance(got.RetryAfter)
	if _, err := e.heap.Delete(ctx, &sdk.DeleteRequest{Job: job("b")}); err != nil {
		t.Fatalf("after Retry-After: %v", err)
	}
	if n := len(e.fake.Deletions()); n != 2 {
		t.Fatalf("%d deletions, want 2", n)
	}
}

// The logs say what happened without naming the subject or the key.
func TestLogsHoldNoPersonalData(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	e.configure(t, map[string]any{"send_user_id": true})
	resp, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.logs.String(), resp.Pending.Handle) {
		t.Fatalf("logs do not record the deletion request id: %q", e.logs.String())
	}
	// newEnv's cleanup checks the logs for the key and identifiers.
}
