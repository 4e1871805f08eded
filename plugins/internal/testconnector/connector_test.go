package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/sdk"
)

// exited is what the fake exit panics with, so a test can see the crash.
type exited int

func newTest(t *testing.T, typ sdk.IntegrationType, settings string) *connector {
	t.Helper()
	c := newConnector(typ, func(code int) { panic(exited(code)) })
	resp, err := c.Configure(context.Background(), &sdk.ConfigureRequest{Settings: sdk.Settings(settings)})
	if err != nil || resp.HasErrors() {
		t.Fatalf("Configure(%s) = %+v, %v", settings, resp, err)
	}
	return c
}

func job(key string) sdk.Job {
	return sdk.Job{IdempotencyKey: key, Subject: sdk.Subject{Email: "ada@example.com"}}
}

func TestConfigureDiagnostics(t *testing.T) {
	tests := []struct {
		name     string
		settings string
		want     [][]string // paths of the error diagnostics, in order
	}{
		{"valid", `{"token":"t"}`, nil},
		{"valid with every knob", `{"token":"t","records":0,"fail_with":"auth","fail_status":401,"polls":3,"crash_on":"poll"}`, nil},
		{"empty", `{}`, [][]string{{"token"}}},
		{"no settings at all", ``, [][]string{{"token"}}},
		{"refused token", `{"token":"wrong"}`, [][]string{{"token"}}},
		{"several at once", `{"records":-1,"polls":1.5,"fail_with":"oops","crash_on":"later","extra":1}`, [][]string{
			{"token"}, {"records"}, {"polls"}, {"fail_with"}, {"crash_on"}, {"extra"},
		}},
		{"wrong types", `{"token":5,"records":"two"}`, [][]string{{"token"}, {"token"}, {"records"}}},
		{"not an object", `[1]`, [][]string{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newConnector(sdk.SynchronousAPI, nil)
			resp, err := c.Configure(context.Background(), &sdk.ConfigureRequest{Settings: sdk.Settings(tt.settings)})
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, d := range resp.Diagnostics {
				if d.Severity == sdk.SeverityError {
					got = append(got, d.Path)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error paths (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRefusedTokenIsAnAuthError(t *testing.T) {
	c := newConnector(sdk.SynchronousAPI, nil)
	resp, _ := c.Configure(context.Background(), &sdk.ConfigureRequest{Settings: sdk.Settings(`{"token":"wrong"}`)})
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Err == nil {
		t.Fatalf("diagnostics = %+v, want one carrying an error", resp.Diagnostics)
	}
	if e := resp.Diagnostics[0].Err; e.Type != sdk.ErrorAuth || e.StatusCode != 401 {
		t.Errorf("error = %v, want auth with status 401", e)
	}
}

func TestInvalidSettingsKeepThePreviousOnes(t *testing.T) {
	c := newTest(t, sdk.SynchronousAPI, `{"token":"t","records":4}`)
	if _, err := c.Configure(context.Background(), &sdk.ConfigureRequest{Settings: sdk.Settings(`{"records":-1}`)}); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("k")})
	if err != nil || len(resp.Records) != 4 {
		t.Errorf("Access = %d records, %v; want the 4 of the last valid settings", len(resp.Records), err)
	}
}

func TestDescribeDependsOnTypeOnly(t *testing.T) {
	tests := []struct {
		typ  sdk.IntegrationType
		caps []sdk.Capability
	}{
		{sdk.SynchronousAPI, []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete}},
		{sdk.AsynchronousAPI, []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete}},
		{sdk.WholeRecordDeletionAPI, []sdk.Capability{sdk.CapabilityDelete}},
		{sdk.DirectContact, []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete}},
	}
	for _, tt := range tests {
		t.Run(tt.typ.String(), func(t *testing.T) {
			before, _ := newConnector(tt.typ, nil).Describe(context.Background())
			after, _ := newTest(t, tt.typ, `{"token":"t","records":9}`).Describe(context.Background())
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("Describe changed with settings (-before +after):\n%s", diff)
			}
			if before.Type != tt.typ {
				t.Errorf("Type = %s, want %s", before.Type, tt.typ)
			}
			if diff := cmp.Diff(tt.caps, before.Capabilities); diff != "" {
				t.Errorf("capabilities (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSynchronousJobs(t *testing.T) {
	c := newTest(t, sdk.SynchronousAPI, `{"token":"t","records":3}`)
	ctx := context.Background()
	a, err := c.Access(ctx, &sdk.AccessRequest{Job: job("a-1")})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Records) != 3 || a.Pending != nil {
		t.Fatalf("Access = %+v, want 3 records at once", a)
	}
	userID := a.Identifiers["user_id"]
	if len(userID) < 3 || userID[:2] != "u-" {
		t.Errorf("identifiers = %v, want a user_id", a.Identifiers)
	}
	other, _ := c.Access(ctx, &sdk.AccessRequest{Job: sdk.Job{IdempotencyKey: "a-2", Subject: sdk.Subject{Email: "bob@example.com"}}})
	if other.Identifiers["user_id"] == userID {
		t.Error("two subjects got the same user_id")
	}
	d, err := c.Delete(ctx, &sdk.DeleteRequest{Job: job("d-1"), Records: a.Records})
	if err != nil || d.RecordsDeleted != 3 || d.WholeRecord {
		t.Errorf("Delete = %+v, %v; want 3 records deleted", d, err)
	}
}

func TestSameKeyTwiceDoesTheWorkOnce(t *testing.T) {
	c := newTest(t, sdk.SynchronousAPI, `{"token":"t"}`)
	ctx := context.Background()
	records := []sdk.Record{{ID: "1"}, {ID: "2"}}
	first, _ := c.Delete(ctx, &sdk.DeleteRequest{Job: job("d-1"), Records: records})
	// The redelivery carries fewer records: the answer is still the first.
	second, _ := c.Delete(ctx, &sdk.DeleteRequest{Job: job("d-1"), Records: records[:1]})
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("redelivered Delete answered differently (-first +second):\n%s", diff)
	}
	if c.sideEffects != 1 {
		t.Errorf("deletions performed = %d, want 1", c.sideEffects)
	}
	if _, err := c.Delete(ctx, &sdk.DeleteRequest{Job: job("d-2"), Records: records}); err != nil {
		t.Fatal(err)
	}
	if c.sideEffects != 2 {
		t.Errorf("deletions performed = %d after a new key, want 2", c.sideEffects)
	}
}

func TestAsynchronousJobsCompleteAfterPolls(t *testing.T) {
	tests := []struct {
		typ        sdk.IntegrationType
		wantAccess func(*sdk.AccessResponse) bool
		wantDelete *sdk.DeleteResponse
	}{
		{sdk.AsynchronousAPI, func(r *sdk.AccessResponse) bool { return len(r.Records) == 2 && len(r.Files) == 0 },
			&sdk.DeleteResponse{RecordsDeleted: 2}},
		{sdk.DirectContact, func(r *sdk.AccessResponse) bool { return len(r.Files) == 2 && len(r.Records) == 0 },
			&sdk.DeleteResponse{WholeRecord: true}},
	}
	for _, tt := range tests {
		t.Run(tt.typ.String(), func(t *testing.T) {
			for _, polls := range []int{0, 1, 3} {
				c := newTest(t, tt.typ, fmt.Sprintf(`{"token":"t","polls":%d}`, polls))
				ctx := context.Background()
				a, err := c.Access(ctx, &sdk.AccessRequest{Job: job("a")})
				if err != nil || a.Pending == nil || a.Pending.PollAfter != pollAfter {
					t.Fatalf("Access = %+v, %v; want pending with a poll hint", a, err)
				}
				for i := 0; i < polls; i++ {
					if a, err = c.PollAccess(ctx, &sdk.PollRequest{Handle: a.Pending.Handle}); err != nil || a.Pending == nil {
						t.Fatalf("polls=%d: poll %d = %+v, %v; want pending", polls, i+1, a, err)
					}
				}
				if a, err = c.PollAccess(ctx, &sdk.PollRequest{Handle: a.Pending.Handle}); err != nil || a.Pending != nil || !tt.wantAccess(a) {
					t.Fatalf("polls=%d: final poll = %+v, %v; want finished", polls, a, err)
				}

				d, err := c.Delete(ctx, &sdk.DeleteRequest{Job: job("d"), Records: []sdk.Record{{ID: "1"}, {ID: "2"}}})
				if err != nil || d.Pending == nil {
					t.Fatalf("Delete = %+v, %v; want pending", d, err)
				}
				for d.Pending != nil {
					if d, err = c.PollDelete(ctx, &sdk.PollRequest{Handle: d.Pending.Handle}); err != nil {
						t.Fatal(err)
					}
				}
				if diff := cmp.Diff(tt.wantDelete, d); diff != "" {
					t.Errorf("final delete (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestPollsAreStatelessAcrossInstances(t *testing.T) {
	a, _ := newTest(t, sdk.AsynchronousAPI, `{"token":"t","polls":0,"records":5}`).
		Access(context.Background(), &sdk.AccessRequest{Job: job("a")})
	// A restarted process (a fresh instance, default settings) finishes it.
	done, err := newConnector(sdk.AsynchronousAPI, nil).PollAccess(context.Background(), &sdk.PollRequest{Handle: a.Pending.Handle})
	if err != nil || len(done.Records) != 5 {
		t.Errorf("poll on a fresh instance = %+v, %v; want the 5 records", done, err)
	}
}

func TestBadHandleIsNotFound(t *testing.T) {
	c := newTest(t, sdk.AsynchronousAPI, `{"token":"t"}`)
	a, _ := c.Access(context.Background(), &sdk.AccessRequest{Job: job("a")})
	for _, h := range []string{"", "not base64!", a.Pending.Handle} {
		// An access handle is no delete handle either.
		_, err := c.PollDelete(context.Background(), &sdk.PollRequest{Handle: h})
		var e *sdk.Error
		if !errors.As(err, &e) || e.Type != sdk.ErrorNotFound {
			t.Errorf("PollDelete(%q) = %v, want not_found", h, err)
		}
	}
}

func TestFailWith(t *testing.T) {
	c := newTest(t, sdk.AsynchronousAPI, `{"token":"t","fail_with":"rate_limited","fail_status":429}`)
	ctx := context.Background()
	calls := map[string]func() error{
		"access":      func() error { _, err := c.Access(ctx, &sdk.AccessRequest{Job: job("a")}); return err },
		"poll access": func() error { _, err := c.PollAccess(ctx, &sdk.PollRequest{}); return err },
		"delete":      func() error { _, err := c.Delete(ctx, &sdk.DeleteRequest{Job: job("d")}); return err },
		"poll delete": func() error { _, err := c.PollDelete(ctx, &sdk.PollRequest{}); return err },
	}
	for name, call := range calls {
		var e *sdk.Error
		if err := call(); !errors.As(err, &e) || e.Type != sdk.ErrorRateLimited || e.StatusCode != 429 || !e.Retryable || e.Remediation == "" {
			t.Errorf("%s = %#v, want a retryable rate_limited with status 429 and a remediation", name, e)
		}
	}
}

func TestCrashOn(t *testing.T) {
	tests := []struct {
		point string
		call  func(*connector) error
	}{
		{"access", func(c *connector) error { _, err := c.Access(context.Background(), &sdk.AccessRequest{}); return err }},
		{"delete", func(c *connector) error { _, err := c.Delete(context.Background(), &sdk.DeleteRequest{}); return err }},
		{"poll", func(c *connector) error { _, err := c.PollAccess(context.Background(), &sdk.PollRequest{}); return err }},
		{"poll", func(c *connector) error { _, err := c.PollDelete(context.Background(), &sdk.PollRequest{}); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.point, func(t *testing.T) {
			c := newTest(t, sdk.AsynchronousAPI, fmt.Sprintf(`{"token":"t","crash_on":%q}`, tt.point))
			defer func() {
				if got := recover(); got != exited(crashExitCode) {
					t.Errorf("recovered %v, want exit %d", got, crashExitCode)
				}
			}()
			_ = tt.call(c)
			t.Errorf("%s did not exit", tt.point)
		})
	}
}
