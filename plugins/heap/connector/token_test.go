package connector_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/plugins/heap/fakeheap"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestTokenCache(t *testing.T) {
	tests := []struct {
		name string
		// before the second Delete: move the connector's clock, Heap's, or
		// make Heap refuse the next calls.
		heapAdvance, fakeAdvance time.Duration
		faults                   []fakeheap.Fault
		wantTokens               int
		wantDeletionCalls        int
		wantErr                  sdk.ErrorType
	}{
		{name: "cached token reused", heapAdvance: time.Minute,
			wantTokens: 1, wantDeletionCalls: 2},
		{name: "cached token expired: fetched before the call", heapAdvance: 4 * time.Minute,
			wantTokens: 2, wantDeletionCalls: 2},
		{name: "Heap expired the token early: refused, refreshed, retried once", fakeAdvance: 10 * time.Minute,
			wantTokens: 2, wantDeletionCalls: 3},
		{name: "Heap refuses the fresh token too: auth error", faults: []fakeheap.Fault{{Status: 401}, {Status: 401}},
			wantTokens: 2, wantDeletionCalls: 3, wantErr: sdk.ErrorAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakeheap.Config{TokenTTL: 5 * time.Minute})
			e.configure(t, nil)
			ctx := context.Background()
			if _, err := e.heap.Delete(ctx, &sdk.DeleteRequest{Job: job("first")}); err != nil {
				t.Fatalf("first Delete: %v", err)
			}
			e.heapClock.Advance(tt.heapAdvance)
			e.fake.Advance(tt.fakeAdvance)
			e.fake.Fail(fakeheap.EndpointUserDeletion, tt.faults...)
			_, err := e.heap.Delete(ctx, &sdk.DeleteRequest{Job: job("second")})
			switch got := sdk.AsError(err); {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("second Delete: %v", err)
			case tt.wantErr != "" && (got == nil || got.Type != tt.wantErr || got.StatusCode != 401):
				t.Fatalf("second Delete: %v, want %s with status 401", err, tt.wantErr)
			}
			if got := e.fake.TokensIssued(); got != tt.wantTokens {
				t.Errorf("tokens issued = %d, want %d", got, tt.wantTokens)
			}
			if got := e.fake.Calls(fakeheap.EndpointUserDeletion); got != tt.wantDeletionCalls {
				t.Errorf("user_deletion calls = %d, want %d", got, tt.wantDeletionCalls)
			}
		})
	}
}

// A key revoked after Configure: the token refresh is refused, and the job
// fails as auth with the seed's remediation.
func TestRevokedKeyDuringDelete(t *testing.T) {
	e := newEnv(t, fakeheap.Config{})
	e.configure(t, nil)
	e.heapClock.Advance(time.Hour)
	e.fake.Fail(fakeheap.EndpointAuthToken, fakeheap.Fault{Status: 401, Body: `{"err":"Unauthorized"}`})
	_, err := e.heap.Delete(context.Background(), &sdk.DeleteRequest{Job: job("k")})
	got := sdk.AsError(err)
	if got == nil || got.Type != sdk.ErrorAuth || got.StatusCode != 401 || got.Retryable {
		t.Fatalf("Delete: %v, want a non-retryable auth error with status 401", err)
	}
	for _, s := range seedSteps {
		if !strings.Contains(got.Remediation, s) {
			t.Errorf("remediation %q lacks %q", got.Remediation, s)
		}
	}
	if n := len(e.fake.Deletions()); n != 0 {
		t.Fatalf("%d deletions submitted", n)
	}
}
