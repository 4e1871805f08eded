package sdk

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	connectorv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/connector/v1"
)

// grpcServer serves a connector on the plugin side. Each integration gets
// its own connector value, made by newConnector and configured with that
// integration's settings alone; every job is routed to the value of the
// integration it names. A connector keeping its settings on its struct is
// therefore right however many integrations share the plugin process.
//
// Failures a connector returns travel in each response's error arm, never
// as gRPC status codes, so the host can tell a connector's answer from a
// broken transport.
type grpcServer struct {
	connectorv1.UnimplementedConnectorServiceServer

	newConnector func() Connector
	logger       hclog.Logger

	// prototype answers Describe; it is never configured.
	prototype Connector
	// declared is the connector's description, read once: a method is
	// served only when the connector both declares and implements it.
	declared func() *Description

	mu         sync.Mutex
	configured map[string]Connector
}

var _ connectorv1.ConnectorServiceServer = (*grpcServer)(nil)

func newGRPCServer(newConnector func() Connector, logger hclog.Logger) *grpcServer {
	s := &grpcServer{newConnector: newConnector, logger: logger, prototype: newConnector(),
		configured: map[string]Connector{}}
	s.declared = sync.OnceValue(func() *Description {
		ctx, cancel := context.WithTimeout(context.Background(), describeTimeout)
		defer cancel()
		d, err := call(s, "describe", func() (*Description, error) { return s.prototype.Describe(ctx) })
		if err != nil || d == nil {
			return nil
		}
		return d
	})
	return s
}

// connectorFor returns the connector configured for the job's
// integration as an I, or the error answering the call: the connector
// does not offer capability c through interface iface, or the
// integration was never configured in this process.
func connectorFor[I any](s *grpcServer, job *connectorv1.Job, c Capability, iface string) (I, *connectorv1.Error) {
	var zero I
	if _, ok := s.prototype.(I); !ok || !s.offers(c) {
		return zero, s.unsupported(c, iface)
	}
	s.mu.Lock()
	conn, ok := s.configured[job.GetIntegration()]
	s.mu.Unlock()
	if !ok {
		return zero, errorToProto(Errorf(ErrorInvalidConfig,
			"integration %q is not configured in this plugin process", job.GetIntegration()).
			WithRemediation("The daemon configures every integration before its jobs; reload the configuration, and report this if it persists."))
	}
	typed, ok := conn.(I)
	if !ok {
		return zero, s.unsupported(c, iface)
	}
	return typed, nil
}

// call runs one connector method, turning a panic into an internal error
// so one bad input fails one job instead of the whole plugin process.
func call[R any](s *grpcServer, method string, f func() (R, error)) (r R, err error) {
	defer func() {
		if p := recover(); p != nil {
			// The panic value may hold personal data; the stack does not.
			s.logger.Error("connector panicked", "method", method, "stack", string(debug.Stack()))
			err = Errorf(ErrorInternal, "connector panicked in %s", method)
		}
	}()
	return f()
}

// wireError is err as it crosses the wire; a typed nil *Error, an easy
// mistake in a connector, still reaches the host as an internal error.
//
// A plain error that is the call's context running out (a connector
// passing on what its HTTP client returned) is a timeout, retried like
// one, and its text, which may hold a URL, is left behind.
func wireError(err error) *connectorv1.Error {
	var typed *Error
	if !errors.As(err, &typed) {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return errorToProto(Errorf(ErrorTimeout, "the connector's call ran out of time"))
		case errors.Is(err, context.Canceled):
			e := Errorf(ErrorInternal, "the connector's call was canceled")
			e.Retryable = true
			return errorToProto(e)
		}
	}
	e := AsError(err)
	if e == nil {
		e = Errorf(ErrorInternal, "connector returned a nil *sdk.Error")
	}
	return errorToProto(e)
}

// unsupported is the answer to a method the connector does not offer.
func (s *grpcServer) unsupported(c Capability, iface string) *connectorv1.Error {
	return errorToProto(Errorf(ErrorInvalidConfig,
		"this connector does not support %s (capability %q not declared, or sdk.%s not implemented)", c, c.String(), iface).
		WithRemediation(fmt.Sprintf("Only use this plugin in workflows that need no %s.", c)))
}

func (s *grpcServer) offers(c Capability) bool {
	d := s.declared()
	return d != nil && d.Can(c)
}

func (s *grpcServer) Describe(ctx context.Context, _ *connectorv1.DescribeRequest) (*connectorv1.DescribeResponse, error) {
	d, err := call(s, "describe", func() (*Description, error) { return s.prototype.Describe(ctx) })
	if err == nil && d == nil {
		err = Errorf(ErrorInternal, "connector returned no description")
	}
	if err != nil {
		return nil, statusError(err)
	}
	out, err := descriptionToProto(d)
	if err != nil {
		return nil, statusError(Errorf(ErrorInvalidConfig, "%s", err.Error()))
	}
	return out, nil
}

// statusError carries err for the methods whose response has no error arm
// (Describe): the *Error rides in the status details.
func statusError(err error) error {
	st := status.New(codes.Unknown, AsError(err).Error())
	if withDetails, derr := st.WithDetails(wireError(err)); derr == nil {
		st = withDetails
	}
	return st.Err()
}

func (s *grpcServer) Configure(ctx context.Context, req *connectorv1.ConfigureRequest) (*connectorv1.ConfigureResponse, error) {
	creq := configureRequestFromProto(req)
	if d := s.declared(); d != nil {
		settings, diags := d.Settings.Validate(creq.Settings)
		if len(diags) > 0 {
			return configureResponseToProto(&ConfigureResponse{Diagnostics: diags}), nil
		}
		creq.Settings = settings
	}
	c := s.newConnector()
	resp, err := call(s, "configure", func() (*ConfigureResponse, error) { return c.Configure(ctx, creq) })
	if err != nil {
		// Configure answers in diagnostics: a failure is one about the
		// settings block as a whole.
		e := errorFromProto(wireError(err))
		return configureResponseToProto(&ConfigureResponse{Diagnostics: []Diagnostic{CredentialError(nil, e)}}), nil
	}
	if resp == nil {
		resp = &ConfigureResponse{}
	}
	// A rejected configuration leaves the integration's running one in
	// force; a check (ValidateOnly) never replaces it.
	if !creq.ValidateOnly && !resp.HasErrors() {
		s.mu.Lock()
		s.configured[creq.Integration] = c
		s.mu.Unlock()
	}
	return configureResponseToProto(resp), nil
}

func (s *grpcServer) Access(ctx context.Context, req *connectorv1.AccessRequest) (*connectorv1.AccessResponse, error) {
	a, cerr := connectorFor[Accessor](s, req.GetJob(), CapabilityAccess, "Accessor")
	if cerr != nil {
		return &connectorv1.AccessResponse{Outcome: &connectorv1.AccessResponse_Error{Error: cerr}}, nil
	}
	resp, err := call(s, "access", func() (*AccessResponse, error) {
		return a.Access(ctx, &AccessRequest{Job: jobFromProto(req.GetJob())})
	})
	result, pending, perr := accessOutcome(resp, err)
	switch {
	case perr != nil:
		return &connectorv1.AccessResponse{Outcome: &connectorv1.AccessResponse_Error{Error: perr}}, nil
	case pending != nil:
		return &connectorv1.AccessResponse{Outcome: &connectorv1.AccessResponse_Pending{Pending: pending}}, nil
	}
	return &connectorv1.AccessResponse{Outcome: &connectorv1.AccessResponse_Result{Result: result}}, nil
}

func (s *grpcServer) PollAccess(ctx context.Context, req *connectorv1.PollAccessRequest) (*connectorv1.PollAccessResponse, error) {
	a, cerr := connectorFor[AccessPoller](s, req.GetJob(), CapabilityAccess, "AccessPoller")
	if cerr != nil {
		return &connectorv1.PollAccessResponse{Outcome: &connectorv1.PollAccessResponse_Error{Error: cerr}}, nil
	}
	resp, err := call(s, "poll access", func() (*AccessResponse, error) {
		return a.PollAccess(ctx, &PollRequest{Job: jobFromProto(req.GetJob()), Handle: req.GetHandle()})
	})
	result, pending, perr := accessOutcome(resp, err)
	switch {
	case perr != nil:
		return &connectorv1.PollAccessResponse{Outcome: &connectorv1.PollAccessResponse_Error{Error: perr}}, nil
	case pending != nil:
		return &connectorv1.PollAccessResponse{Outcome: &connectorv1.PollAccessResponse_Pending{Pending: pending}}, nil
	}
	return &connectorv1.PollAccessResponse{Outcome: &connectorv1.PollAccessResponse_Result{Result: result}}, nil
}

func (s *grpcServer) Delete(ctx context.Context, req *connectorv1.DeleteRequest) (*connectorv1.DeleteResponse, error) {
	d, cerr := connectorFor[Deleter](s, req.GetJob(), CapabilityDelete, "Deleter")
	if cerr != nil {
		return &connectorv1.DeleteResponse{Outcome: &connectorv1.DeleteResponse_Error{Error: cerr}}, nil
	}
	resp, err := call(s, "delete", func() (*DeleteResponse, error) {
		return d.Delete(ctx, &DeleteRequest{Job: jobFromProto(req.GetJob()), Records: recordsFromProto(req.GetRecords())})
	})
	result, pending, perr := deleteOutcome(resp, err)
	switch {
	case perr != nil:
		return &connectorv1.DeleteResponse{Outcome: &connectorv1.DeleteResponse_Error{Error: perr}}, nil
	case pending != nil:
		return &connectorv1.DeleteResponse{Outcome: &connectorv1.DeleteResponse_Pending{Pending: pending}}, nil
	}
	return &connectorv1.DeleteResponse{Outcome: &connectorv1.DeleteResponse_Result{Result: result}}, nil
}

func (s *grpcServer) PollDelete(ctx context.Context, req *connectorv1.PollDeleteRequest) (*connectorv1.PollDeleteResponse, error) {
	d, cerr := connectorFor[DeletePoller](s, req.GetJob(), CapabilityDelete, "DeletePoller")
	if cerr != nil {
		return &connectorv1.PollDeleteResponse{Outcome: &connectorv1.PollDeleteResponse_Error{Error: cerr}}, nil
	}
	resp, err := call(s, "poll delete", func() (*DeleteResponse, error) {
		return d.PollDelete(ctx, &PollRequest{Job: jobFromProto(req.GetJob()), Handle: req.GetHandle()})
	})
	result, pending, perr := deleteOutcome(resp, err)
	switch {
	case perr != nil:
		return &connectorv1.PollDeleteResponse{Outcome: &connectorv1.PollDeleteResponse_Error{Error: perr}}, nil
	case pending != nil:
		return &connectorv1.PollDeleteResponse{Outcome: &connectorv1.PollDeleteResponse_Pending{Pending: pending}}, nil
	}
	return &connectorv1.PollDeleteResponse{Outcome: &connectorv1.PollDeleteResponse_Result{Result: result}}, nil
}

// accessOutcome picks the oneof arm for what an Access or PollAccess
// returned: an error, a pending handle, or the result.
func accessOutcome(resp *AccessResponse, err error) (*connectorv1.AccessResult, *connectorv1.AsyncHandle, *connectorv1.Error) {
	switch {
	case err != nil:
		return nil, nil, wireError(err)
	case resp == nil:
		return nil, nil, errorToProto(Errorf(ErrorInternal, "connector returned neither an answer nor an error"))
	case resp.Pending != nil:
		return nil, pendingToProto(resp.Pending), nil
	}
	return accessResultToProto(resp), nil, nil
}

// deleteOutcome picks the oneof arm for what a Delete or PollDelete
// returned.
func deleteOutcome(resp *DeleteResponse, err error) (*connectorv1.DeleteResult, *connectorv1.AsyncHandle, *connectorv1.Error) {
	switch {
	case err != nil:
		return nil, nil, wireError(err)
	case resp == nil:
		return nil, nil, errorToProto(Errorf(ErrorInternal, "connector returned neither an answer nor an error"))
	case resp.Pending != nil:
		return nil, pendingToProto(resp.Pending), nil
	}
	return deleteResultToProto(resp), nil, nil
}
