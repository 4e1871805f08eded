package telemetry

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// Instruments are what connector calls are measured with; a nil
// *Instruments measures nothing.
type Instruments struct {
	// Metrics counts jobs and times calls; nil records no metrics.
	Metrics *Metrics
	// RequestIDs puts the request id on connector spans
	// (trace_request_ids).
	RequestIDs bool
}

// Remote returns r measured as integration's connector: each Access or
// Delete starts a job, each call that does not answer pending finishes
// one (complete, or its error type), each call is timed and traced. The
// span is the parent of the plugin's gRPC call, so the trace continues in
// the plugin process.
func (in *Instruments) Remote(integration string, r sdk.Remote) sdk.Remote {
	if in == nil || r == nil {
		return r
	}
	return &measured{Remote: r, in: in, integration: integration}
}

type measured struct {
	sdk.Remote
	in          *Instruments
	integration string
}

var (
	extracting    = state.Extracting.Code()
	pendingDelete = state.PendingDelete.Code()
)

func (m *measured) Access(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	return measure(ctx, m, "Access", extracting, true, &req.Job, func(ctx context.Context) (*sdk.AccessResponse, *sdk.Pending, error) {
		resp, err := m.Remote.Access(ctx, req)
		return resp, accessPending(resp), err
	})
}

func (m *measured) PollAccess(ctx context.Context, req *sdk.PollRequest) (*sdk.AccessResponse, error) {
	return measure(ctx, m, "PollAccess", extracting, false, &req.Job, func(ctx context.Context) (*sdk.AccessResponse, *sdk.Pending, error) {
		resp, err := m.Remote.PollAccess(ctx, req)
		return resp, accessPending(resp), err
	})
}

func (m *measured) Delete(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	return measure(ctx, m, "Delete", pendingDelete, true, &req.Job, func(ctx context.Context) (*sdk.DeleteResponse, *sdk.Pending, error) {
		resp, err := m.Remote.Delete(ctx, req)
		return resp, deletePending(resp), err
	})
}

func (m *measured) PollDelete(ctx context.Context, req *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	return measure(ctx, m, "PollDelete", pendingDelete, false, &req.Job, func(ctx context.Context) (*sdk.DeleteResponse, *sdk.Pending, error) {
		resp, err := m.Remote.PollDelete(ctx, req)
		return resp, deletePending(resp), err
	})
}

func accessPending(r *sdk.AccessResponse) *sdk.Pending {
	if r == nil {
		return nil
	}
	return r.Pending
}

func deletePending(r *sdk.DeleteResponse) *sdk.Pending {
	if r == nil {
		return nil
	}
	return r.Pending
}

// measure runs one connector call inside a span, then records it.
func measure[T any](ctx context.Context, m *measured, method, workflow string, starts bool, job *sdk.Job, call func(context.Context) (*T, *sdk.Pending, error)) (*T, error) {
	attrs := []attribute.KeyValue{
		attribute.String("dsrhost.integration", m.integration),
		attribute.String("dsrhost.workflow", workflow),
	}
	if m.in.RequestIDs && job != nil {
		attrs = append(attrs, attribute.String("dsrhost.request_id", job.RequestID))
	}
	ctx, span := tracer().Start(ctx, "connector "+method, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	defer span.End()

	if mt := m.in.Metrics; mt != nil && starts {
		mt.jobsStarted.WithLabelValues(m.integration, workflow).Inc()
	}
	start := time.Now()
	resp, pending, err := call(ctx)
	elapsed := time.Since(start)

	outcome := Outcome(err)
	span.SetAttributes(attribute.String("dsrhost.outcome", outcome), attribute.Bool("dsrhost.pending", err == nil && pending != nil))
	if err != nil {
		span.SetStatus(codes.Error, outcome)
	}
	if mt := m.in.Metrics; mt != nil {
		mt.callLatency.WithLabelValues(m.integration, method).Observe(elapsed.Seconds())
		if err != nil || pending == nil {
			mt.jobsFinished.WithLabelValues(m.integration, workflow, outcome).Inc()
		}
	}
	return resp, err
}

// Outcome names how a call ended for labels: complete, the sdk error
// type, or "error" for an error without one. Never the message, which may
// quote the third party.
func Outcome(err error) string {
	if err == nil {
		return OutcomeComplete
	}
	var se *sdk.Error
	if errors.As(err, &se) && se.Type != "" {
		return string(se.Type)
	}
	return OutcomeError
}
