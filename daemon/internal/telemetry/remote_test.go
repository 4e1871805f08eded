package telemetry

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dsrhost/dsrhost/sdk"
)

// fakeRemote answers every call as told.
type fakeRemote struct {
	sdk.Remote
	pending bool
	err     error
}

func (f fakeRemote) Access(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.pending {
		return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "h"}}, nil
	}
	return &sdk.AccessResponse{}, nil
}

func (f fakeRemote) PollAccess(ctx context.Context, _ *sdk.PollRequest) (*sdk.AccessResponse, error) {
	return fakeRemote{err: f.err}.Access(ctx, nil)
}

func (f fakeRemote) Delete(context.Context, *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &sdk.DeleteResponse{}, nil
}

// TestRemoteCountsJobs: Access and Delete start jobs; a call that does not
// answer pending finishes one, labelled with its outcome or error type; a
// pending answer finishes nothing until its poll does.
func TestRemoteCountsJobs(t *testing.T) {
	m := NewMetrics("v", "c")
	in := &Instruments{Metrics: m}
	ctx := context.Background()
	tests := []struct {
		name string
		call func(r sdk.Remote) error
		r    fakeRemote
	}{
		{"access complete", func(r sdk.Remote) error { _, err := r.Access(ctx, &sdk.AccessRequest{}); return err }, fakeRemote{}},
		{"access pending", func(r sdk.Remote) error { _, err := r.Access(ctx, &sdk.AccessRequest{}); return err }, fakeRemote{pending: true}},
		{"poll complete", func(r sdk.Remote) error { _, err := r.PollAccess(ctx, &sdk.PollRequest{}); return err }, fakeRemote{}},
		{"access rate limited", func(r sdk.Remote) error { _, err := r.Access(ctx, &sdk.AccessRequest{}); return err },
			fakeRemote{err: sdk.Errorf(sdk.ErrorRateLimited, "slow down")}},
		{"delete untyped error", func(r sdk.Remote) error { _, err := r.Delete(ctx, &sdk.DeleteRequest{}); return err },
			fakeRemote{err: errors.New("boom")}},
	}
	for _, tt := range tests {
		_ = tt.call(in.Remote("crm", tt.r))
	}
	want := `
# HELP dsrhost_jobs_finished_total Connector jobs finished, by integration, workflow state and outcome: complete, or the error type (rate_limited, auth, plugin_crashed, ...). A job answered pending finishes when a poll ends it.
# TYPE dsrhost_jobs_finished_total counter
dsrhost_jobs_finished_total{integration="crm",outcome="complete",workflow="extracting"} 2
dsrhost_jobs_finished_total{integration="crm",outcome="error",workflow="pending_delete"} 1
dsrhost_jobs_finished_total{integration="crm",outcome="rate_limited",workflow="extracting"} 1
# HELP dsrhost_jobs_started_total Connector jobs started (Access or Delete calls), by integration and workflow state.
# TYPE dsrhost_jobs_started_total counter
dsrhost_jobs_started_total{integration="crm",workflow="extracting"} 3
dsrhost_jobs_started_total{integration="crm",workflow="pending_delete"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "dsrhost_jobs_started_total", "dsrhost_jobs_finished_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(m.callLatency); n != 3 { // crm × Access, PollAccess, Delete
		t.Errorf("%d latency series, want 3", n)
	}
	var nilIn *Instruments
	if r := nilIn.Remote("crm", fakeRemote{}); r != (fakeRemote{}) {
		t.Error("nil Instruments should hand the remote back unchanged")
	}
}

// TestHooksAcceptNilMetrics: the flow-control and privacy-center hooks are
// safe to call when metrics are off.
func TestHooksAcceptNilMetrics(t *testing.T) {
	var m *Metrics
	m.FlowWait("crm", "rate_limit", 0)
	m.PrivacyCenterSubmission("access")
	m.PrivacyCenterVerification("verified")

	m = NewMetrics("v", "c")
	m.FlowWait("crm", "rate_limit", 0)
	m.PrivacyCenterSubmission("access")
	m.PrivacyCenterVerification("verified")
	for name, c := range map[string]float64{
		"flow":   testutil.ToFloat64(m.flowWaits.WithLabelValues("crm", "rate_limit")),
		"submit": testutil.ToFloat64(m.pcSubmitted.WithLabelValues("access")),
		"verify": testutil.ToFloat64(m.pcVerified.WithLabelValues("verified")),
	} {
		if c != 1 {
			t.Errorf("%s = %v, want 1", name, c)
		}
	}
}
