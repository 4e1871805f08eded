package sdk

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-plugin"
)

// fakeConnector is a connector made of function fields; a nil field
// answers with an empty success.
type fakeConnector struct {
	describe   func(context.Context) (*Description, error)
	configure  func(context.Context, *ConfigureRequest) (*ConfigureResponse, error)
	access     func(context.Context, *AccessRequest) (*AccessResponse, error)
	pollAccess func(context.Context, *PollRequest) (*AccessResponse, error)
	delete     func(context.Context, *DeleteRequest) (*DeleteResponse, error)
	pollDelete func(context.Context, *PollRequest) (*DeleteResponse, error)
}

var (
	_ AccessPoller = (*fakeConnector)(nil)
	_ DeletePoller = (*fakeConnector)(nil)
)

func (f *fakeConnector) Describe(ctx context.Context) (*Description, error) {
	if f.describe != nil {
		return f.describe(ctx)
	}
	return &Description{Name: "fake", Version: "1", Type: AsynchronousAPI,
		Capabilities: []Capability{CapabilityAccess, CapabilityDelete}}, nil
}

func (f *fakeConnector) Configure(ctx context.Context, req *ConfigureRequest) (*ConfigureResponse, error) {
	if f.configure != nil {
		return f.configure(ctx, req)
	}
	return &ConfigureResponse{}, nil
}

func (f *fakeConnector) Access(ctx context.Context, req *AccessRequest) (*AccessResponse, error) {
	if f.access != nil {
		return f.access(ctx, req)
	}
	return &AccessResponse{}, nil
}

func (f *fakeConnector) PollAccess(ctx context.Context, req *PollRequest) (*AccessResponse, error) {
	if f.pollAccess != nil {
		return f.pollAccess(ctx, req)
	}
	return &AccessResponse{}, nil
}

func (f *fakeConnector) Delete(ctx context.Context, req *DeleteRequest) (*DeleteResponse, error) {
	if f.delete != nil {
		return f.delete(ctx, req)
	}
	return &DeleteResponse{}, nil
}

func (f *fakeConnector) PollDelete(ctx context.Context, req *PollRequest) (*DeleteResponse, error) {
	if f.pollDelete != nil {
		return f.pollDelete(ctx, req)
	}
	return &DeleteResponse{}, nil
}

// describeOnly implements no opt-in interface.
type describeOnly struct{}

func (describeOnly) Describe(context.Context) (*Description, error) {
	return &Description{Name: "bare", Type: SynchronousAPI}, nil
}

func (describeOnly) Configure(context.Context, *ConfigureRequest) (*ConfigureResponse, error) {
	return &ConfigureResponse{}, nil
}

// serveInProcess connects a Remote to c through go-plugin's gRPC plumbing,
// without a process in between; the returned stop ends the server.
func serveInProcess(t *testing.T, c Connector) (Remote, func()) {
	t.Helper()
	client, server := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{PluginName: &connectorPlugin{newConnector: func() Connector { return c }}})
	t.Cleanup(func() { _ = client.Close() })
	t.Cleanup(server.Stop)
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatalf("dispense: %v", err)
	}
	remote := raw.(Remote)
	// Jobs reach only configured integrations; most tests use the
	// unnamed one.
	if _, err := remote.Configure(context.Background(), &ConfigureRequest{}); err != nil {
		t.Fatalf("configure: %v", err)
	}
	return remote, server.Stop
}

// asError fails the test unless err is an *Error.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *sdk.Error", err, err)
	}
	return e
}

func TestRequestsReachTheConnectorIntact(t *testing.T) {
	job := Job{
		IdempotencyKey: "k-1",
		RequestID:      "r-1",
		RequestType:    RequestDeletion,
		Subject:        Subject{Email: "ada@example.com", Identifiers: map[string]string{"crm_id": "9"}},
		Integration:    "crm",
	}
	records := []Record{{ID: "c-1", Kind: "contact", Data: []byte(`{"x":1}`)}}
	var gotAccess *AccessRequest
	var gotPoll *PollRequest
	var gotDelete *DeleteRequest
	var gotConfigure *ConfigureRequest
	remote, _ := serveInProcess(t, &fakeConnector{
		configure: func(_ context.Context, req *ConfigureRequest) (*ConfigureResponse, error) {
			gotConfigure = req
			return &ConfigureResponse{Diagnostics: []Diagnostic{{Severity: SeverityWarning, Summary: "old", Path: []string{"a"}}}}, nil
		},
		access: func(_ context.Context, req *AccessRequest) (*AccessResponse, error) {
			gotAccess = req
			return &AccessResponse{Records: records, Identifiers: map[string]string{"user_id": "u"}}, nil
		},
		pollDelete: func(_ context.Context, req *PollRequest) (*DeleteResponse, error) {
			gotPoll = req
			return &DeleteResponse{Pending: &Pending{Handle: "h-2", PollAfter: time.Minute}}, nil
		},
		delete: func(_ context.Context, req *DeleteRequest) (*DeleteResponse, error) {
			gotDelete = req
			return &DeleteResponse{RecordsDeleted: 1}, nil
		},
	})
	ctx := context.Background()

	cresp, err := remote.Configure(ctx, &ConfigureRequest{Integration: "crm", Settings: Settings(`{"a":1}`)})
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if diff := cmp.Diff(&ConfigureRequest{Integration: "crm", Settings: Settings(`{"a":1}`)}, gotConfigure); diff != "" {
		t.Errorf("configure request (-sent +received):\n%s", diff)
	}
	if diff := cmp.Diff([]Diagnostic{{Severity: SeverityWarning, Summary: "old", Path: []string{"a"}}}, cresp.Diagnostics); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}

	aresp, err := remote.Access(ctx, &AccessRequest{Job: job})
	if err != nil {
		t.Fatalf("Access: %v", err)
	}
	if diff := cmp.Diff(&AccessRequest{Job: job}, gotAccess); diff != "" {
		t.Errorf("access request (-sent +received):\n%s", diff)
	}
	if diff := cmp.Diff(&AccessResponse{Records: records, Identifiers: map[string]string{"user_id": "u"}}, aresp); diff != "" {
		t.Errorf("access answer (-want +got):\n%s", diff)
	}

	dresp, err := remote.Delete(ctx, &DeleteRequest{Job: job, Records: records})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if diff := cmp.Diff(&DeleteRequest{Job: job, Records: records}, gotDelete); diff != "" {
		t.Errorf("delete request (-sent +received):\n%s", diff)
	}
	if dresp.RecordsDeleted != 1 {
		t.Errorf("RecordsDeleted = %d, want 1", dresp.RecordsDeleted)
	}

	presp, err := remote.PollDelete(ctx, &PollRequest{Job: job, Handle: "h-1"})
	if err != nil {
		t.Fatalf("PollDelete: %v", err)
	}
	if diff := cmp.Diff(&PollRequest{Job: job, Handle: "h-1"}, gotPoll); diff != "" {
		t.Errorf("poll request (-sent +received):\n%s", diff)
	}
	if diff := cmp.Diff(&DeleteResponse{Pending: &Pending{Handle: "h-2", PollAfter: time.Minute}}, presp); diff != "" {
		t.Errorf("poll answer (-want +got):\n%s", diff)
	}
}

func TestConnectorErrorsReachTheHostAsErrors(t *testing.T) {
	want := Errorf(ErrorRateLimited, "slow down").WithStatus(429).WithRetryAfter(time.Minute).WithRemediation("Wait.")
	fail := func() error { return want }
	remote, _ := serveInProcess(t, &fakeConnector{
		describe: func(context.Context) (*Description, error) { return nil, Errorf(ErrorUnavailable, "no schema today") },
	})
	ctx := context.Background()
	_, err := remote.Describe(ctx)
	if diff := cmp.Diff(Errorf(ErrorUnavailable, "no schema today"), asError(t, err)); diff != "" {
		t.Errorf("Describe error (-want +got):\n%s", diff)
	}

	remote, _ = serveInProcess(t, &fakeConnector{
		access:     func(context.Context, *AccessRequest) (*AccessResponse, error) { return nil, fail() },
		pollAccess: func(context.Context, *PollRequest) (*AccessResponse, error) { return nil, fail() },
		delete:     func(context.Context, *DeleteRequest) (*DeleteResponse, error) { return nil, fail() },
		pollDelete: func(context.Context, *PollRequest) (*DeleteResponse, error) { return nil, fail() },
	})
	calls := map[string]func() error{
		"access":      func() error { _, err := remote.Access(ctx, &AccessRequest{}); return err },
		"poll access": func() error { _, err := remote.PollAccess(ctx, &PollRequest{}); return err },
		"delete":      func() error { _, err := remote.Delete(ctx, &DeleteRequest{}); return err },
		"poll delete": func() error { _, err := remote.PollDelete(ctx, &PollRequest{}); return err },
	}
	for name, call := range calls {
		if diff := cmp.Diff(want, asError(t, call())); diff != "" {
			t.Errorf("%s error (-want +got):\n%s", name, diff)
		}
	}
}

func TestConfigureFailureBecomesADiagnostic(t *testing.T) {
	remote, _ := serveInProcess(t, &fakeConnector{
		configure: func(context.Context, *ConfigureRequest) (*ConfigureResponse, error) {
			return nil, Errorf(ErrorPermission, "missing scope").WithStatus(403).WithRemediation("Grant read.")
		},
	})
	resp, err := remote.Configure(context.Background(), &ConfigureRequest{})
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
	want := []Diagnostic{{
		Severity: SeverityError, Summary: "missing scope", Detail: "Grant read.",
		Err: &Error{Type: ErrorPermission, StatusCode: 403, Message: "missing scope", Remediation: "Grant read."},
	}}
	if diff := cmp.Diff(want, resp.Diagnostics); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestUnsupportedCapabilityIsInvalidConfig(t *testing.T) {
	// wholeRecord implements everything but declares only delete: the wire
	// honours the description, not the method set.
	wholeRecord := &fakeConnector{describe: func(context.Context) (*Description, error) {
		return &Description{Name: "wr", Type: WholeRecordDeletionAPI, Capabilities: []Capability{CapabilityDelete}}, nil
	}}
	tests := []struct {
		name      string
		connector Connector
		call      func(Remote) error
		want      string
	}{
		{"access on bare", describeOnly{}, func(r Remote) error { _, err := r.Access(context.Background(), &AccessRequest{}); return err }, "access"},
		{"poll access on bare", describeOnly{}, func(r Remote) error { _, err := r.PollAccess(context.Background(), &PollRequest{}); return err }, "access"},
		{"delete on bare", describeOnly{}, func(r Remote) error { _, err := r.Delete(context.Background(), &DeleteRequest{}); return err }, "delete"},
		{"poll delete on bare", describeOnly{}, func(r Remote) error { _, err := r.PollDelete(context.Background(), &PollRequest{}); return err }, "delete"},
		{"undeclared access", wholeRecord, func(r Remote) error { _, err := r.Access(context.Background(), &AccessRequest{}); return err }, "access"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remote, _ := serveInProcess(t, tt.connector)
			e := asError(t, tt.call(remote))
			if e.Type != ErrorInvalidConfig {
				t.Errorf("type = %q, want invalid_config", e.Type)
			}
			if !strings.Contains(e.Message, `"`+tt.want+`"`) {
				t.Errorf("message %q does not name capability %q", e.Message, tt.want)
			}
		})
	}
}

func TestConnectorPanicFailsOnlyThatCall(t *testing.T) {
	remote, _ := serveInProcess(t, &fakeConnector{
		access: func(_ context.Context, req *AccessRequest) (*AccessResponse, error) {
			if req.Job.IdempotencyKey == "panic" {
				var m map[string]int
				m["boom"]++ // nil map write
			}
			return &AccessResponse{Records: []Record{{ID: "1"}}}, nil
		},
	})
	_, err := remote.Access(context.Background(), &AccessRequest{Job: Job{IdempotencyKey: "panic"}})
	if e := asError(t, err); e.Type != ErrorInternal || !strings.Contains(e.Message, "panicked") {
		t.Errorf("error = %v, want an internal error saying the connector panicked", e)
	}
	resp, err := remote.Access(context.Background(), &AccessRequest{Job: Job{IdempotencyKey: "fine"}})
	if err != nil || len(resp.Records) != 1 {
		t.Errorf("next call = %+v, %v; want one record", resp, err)
	}
}

func TestTransportFailures(t *testing.T) {
	block := func(ctx context.Context, _ *AccessRequest) (*AccessResponse, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}

	t.Run("deadline is a timeout", func(t *testing.T) {
		remote, _ := serveInProcess(t, &fakeConnector{access: block})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := remote.Access(ctx, &AccessRequest{})
		if e := asError(t, err); e.Type != ErrorTimeout || !e.Retryable {
			t.Errorf("error = %#v, want a retryable timeout", e)
		}
	})

	t.Run("host cancel is not a crash", func(t *testing.T) {
		remote, _ := serveInProcess(t, &fakeConnector{access: block})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := remote.Access(ctx, &AccessRequest{})
		if e := asError(t, err); e.Type == ErrorPluginCrashed || !e.Retryable {
			t.Errorf("error = %#v, want a retryable error that is not plugin_crashed", e)
		}
	})

	t.Run("a stopped server is a crash", func(t *testing.T) {
		remote, stop := serveInProcess(t, &fakeConnector{})
		if _, err := remote.Describe(context.Background()); err != nil {
			t.Fatalf("Describe before stop: %v", err)
		}
		stop()
		_, err := remote.Delete(context.Background(), &DeleteRequest{})
		if e := asError(t, err); e.Type != ErrorPluginCrashed || !e.Retryable {
			t.Errorf("error = %#v, want a retryable plugin_crashed", e)
		}
	})
}

func TestNilRequestsAreRefused(t *testing.T) {
	remote, _ := serveInProcess(t, &fakeConnector{})
	ctx := context.Background()
	calls := map[string]func() error{
		"configure":   func() error { _, err := remote.Configure(ctx, nil); return err },
		"access":      func() error { _, err := remote.Access(ctx, nil); return err },
		"poll access": func() error { _, err := remote.PollAccess(ctx, nil); return err },
		"delete":      func() error { _, err := remote.Delete(ctx, nil); return err },
		"poll delete": func() error { _, err := remote.PollDelete(ctx, nil); return err },
	}
	for name, call := range calls {
		if e := asError(t, call()); e.Type != ErrorInternal {
			t.Errorf("%s(nil) = %v, want an internal error", name, e)
		}
	}
}

func TestUnencodableDescriptionIsInvalidConfig(t *testing.T) {
	remote, _ := serveInProcess(t, &fakeConnector{describe: func(context.Context) (*Description, error) {
		return &Description{Name: "x", Settings: Schema{Attributes: []Attribute{{Name: "f", Type: TypeString, Default: make(chan int)}}}}, nil
	}})
	_, err := remote.Describe(context.Background())
	if e := asError(t, err); e.Type != ErrorInvalidConfig || !strings.Contains(e.Message, `attribute "f"`) {
		t.Errorf("Describe = %#v, want invalid_config naming the attribute", e)
	}
}
