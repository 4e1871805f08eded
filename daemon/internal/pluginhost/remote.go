package pluginhost

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/dsrhost/dsrhost/sdk"
)

// remote is the sdk.Remote handed out by Plugin.Connector: it forwards each
// call to the live process and turns a dead process into plugin_crashed.
type remote struct{ p *Plugin }

var _ sdk.Remote = (*remote)(nil)

func (r *remote) Describe(ctx context.Context) (*sdk.Description, error) {
	return call(ctx, r.p, "Describe", func(c sdk.Remote) (*sdk.Description, error) { return c.Describe(ctx) })
}

func (r *remote) Configure(ctx context.Context, req *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	return call(ctx, r.p, "Configure", func(c sdk.Remote) (*sdk.ConfigureResponse, error) { return c.Configure(ctx, req) })
}

func (r *remote) Access(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	return jobCall(ctx, r.p, "Access", jobOf(req), func(c sdk.Remote) (*sdk.AccessResponse, error) { return c.Access(ctx, req) })
}

func (r *remote) PollAccess(ctx context.Context, req *sdk.PollRequest) (*sdk.AccessResponse, error) {
	return jobCall(ctx, r.p, "PollAccess", pollJob(req), func(c sdk.Remote) (*sdk.AccessResponse, error) { return c.PollAccess(ctx, req) })
}

func (r *remote) Delete(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	var job *sdk.Job
	if req != nil {
		job = &req.Job
	}
	return jobCall(ctx, r.p, "Delete", job, func(c sdk.Remote) (*sdk.DeleteResponse, error) { return c.Delete(ctx, req) })
}

func (r *remote) PollDelete(ctx context.Context, req *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	return jobCall(ctx, r.p, "PollDelete", pollJob(req), func(c sdk.Remote) (*sdk.DeleteResponse, error) { return c.PollDelete(ctx, req) })
}

func jobOf(req *sdk.AccessRequest) *sdk.Job {
	if req == nil {
		return nil
	}
	return &req.Job
}

func pollJob(req *sdk.PollRequest) *sdk.Job {
	if req == nil {
		return nil
	}
	return &req.Job
}

// jobCall is call for a job: the subject's identifiers and the
// integration's sensitive values are redacted from the error the plugin
// returns, and from its log lines while the call runs and shortly after.
func jobCall[T any](ctx context.Context, p *Plugin, method string, job *sdk.Job, f func(sdk.Remote) (*T, error)) (*T, error) {
	if job == nil {
		return call(ctx, p, method, f)
	}
	subject := subjectValues(job.Subject)
	release := p.redact.holdValues(subject)
	defer release()
	res, err := call(ctx, p, method, f)
	if err != nil {
		err = scrubError(err, append(subject, p.redact.secretsOf(job.Integration)...))
	}
	return res, err
}

// call runs f against the live process. When there is none, or the process
// died under the call, it fails with a retryable plugin_crashed error
// instead of whatever the broken connection produced.
func call[T any](ctx context.Context, p *Plugin, method string, f func(sdk.Remote) (*T, error)) (res *T, err error) {
	inst := p.current()
	if inst == nil {
		return nil, notRunning(p, method)
	}
	defer func() {
		// The sdk's client decodes what the plugin sent; whatever a
		// broken plugin sends must fail the call, not the daemon.
		if v := recover(); v != nil {
			p.logger.Error("plugin call panicked in the host", "method", method)
			res, err = nil, sdk.Errorf(sdk.ErrorInternal, "plugin %q: %s failed unexpectedly", p.spec.Name, method)
		}
	}()
	res, err = f(inst.remote)
	if err != nil && ctx.Err() == nil && processFailed(inst, err) {
		p.logger.Warn("call failed: the plugin process exited", "method", method, "pid", inst.pid)
		return nil, sdk.Errorf(sdk.ErrorPluginCrashed, "plugin %q exited during %s", p.spec.Name, method).
			WithRemediation("The job is retried once the daemon has restarted the plugin; if it keeps failing, read the plugin's log lines.")
	}
	return res, err
}

// notRunning is the error for a call made while no process runs.
func notRunning(p *Plugin, method string) error {
	h := p.Health()
	e := sdk.Errorf(sdk.ErrorPluginCrashed, "plugin %q is not running (%s), so %s was not sent", p.spec.Name, h.State, method)
	if h.State == StateStopped {
		e.Retryable = false
		return e
	}
	return e.WithRemediation("The daemon is restarting the plugin; the job is retried. Check the plugin's health if this lasts.")
}

// processFailed tells a failure of the process or its connection from an
// error the connector returned.
func processFailed(inst *instance, err error) bool {
	var se *sdk.Error
	if errors.As(err, &se) {
		return se.Type == sdk.ErrorPluginCrashed || inst.exited()
	}
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.Unavailable, codes.Canceled:
			// Canceled without the caller's context ending: the host
			// closed the connection while killing the plugin.
			return true
		}
	}
	return inst.exited()
}
