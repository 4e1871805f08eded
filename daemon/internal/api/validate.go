package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// validator checks request messages against the protovalidate rules of
// admin.proto. connectrpc.com/validate does the same, but its current
// release also pulls connect-go v2 into the binary; these few lines keep one
// Connect version and word the error for people: every violation with the
// path of its field, e.g. "subject.email: value is required".
type validator struct{}

// sharedRules are the compiled rules every server of the process uses,
// compiled once, on first use or when PrepareValidator asks: compiling
// every message's rules costs tens of milliseconds of CPU, which a
// starting daemon's plugins need more, so the daemon asks once it serves.
var sharedRules = sync.OnceValues(compileRules)

// PrepareValidator starts compiling the request validator in the
// background; a call that comes first waits for it.
func PrepareValidator() { go func() { _, _ = sharedRules() }() }

// compileRules compiles the rules of every request message of the admin
// API at once (TestRulesCompile keeps them compiling).
func compileRules() (protovalidate.Validator, error) {
	var descs []protoreflect.MessageDescriptor
	services := adminv1.File_dsrhost_admin_v1_admin_proto.Services()
	for i := range services.Len() {
		methods := services.Get(i).Methods()
		for j := range methods.Len() {
			descs = append(descs, methods.Get(j).Input())
		}
	}
	v, err := protovalidate.New(protovalidate.WithMessageDescriptors(descs...), protovalidate.WithDisableLazy())
	if err != nil {
		return nil, fmt.Errorf("build request validator: %w", err)
	}
	return v, nil
}

// check returns an invalid_argument error naming every field at fault, with
// the violations attached as a buf.validate.Violations error detail for
// programs.
func (v *validator) check(msg any) error {
	m, ok := msg.(proto.Message)
	if !ok || m == nil {
		return nil
	}
	rules, err := sharedRules()
	if err != nil {
		return connect.NewError(connect.CodeInternal, err)
	}
	err = rules.Validate(m)
	if err == nil {
		return nil
	}
	var verr *protovalidate.ValidationError
	if !errors.As(err, &verr) {
		// A rule that could not be evaluated: the schema's fault, not the
		// caller's.
		return connect.NewError(connect.CodeInternal, fmt.Errorf("validate %s: %w", m.ProtoReflect().Descriptor().Name(), err))
	}
	parts := make([]string, 0, len(verr.Violations))
	for _, viol := range verr.Violations {
		field := protovalidate.FieldPathString(viol.Proto.GetField())
		if field == "" {
			field = string(m.ProtoReflect().Descriptor().Name())
		}
		parts = append(parts, field+": "+viol.Proto.GetMessage())
	}
	ce := connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("invalid %s: %s", m.ProtoReflect().Descriptor().Name(), strings.Join(parts, "; ")))
	if d, derr := connect.NewErrorDetail(verr.ToProto()); derr == nil {
		ce.AddDetail(d)
	}
	return ce
}

// WrapUnary implements connect.Interceptor.
func (v *validator) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if !req.Spec().IsClient {
			if err := v.check(req.Any()); err != nil {
				return nil, err
			}
		}
		return next(ctx, req)
	}
}

// WrapStreamingClient implements connect.Interceptor; clients pass through.
func (v *validator) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor: each message
// received is checked.
func (v *validator) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return next(ctx, &validatingConn{StreamingHandlerConn: conn, v: v})
	}
}

type validatingConn struct {
	connect.StreamingHandlerConn
	v *validator
}

func (c *validatingConn) Receive(msg any) error {
	if err := c.StreamingHandlerConn.Receive(msg); err != nil {
		return err
	}
	return c.v.check(msg)
}
