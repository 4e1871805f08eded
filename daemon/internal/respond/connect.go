package respond

import (
	"context"
	"errors"
	"net/http"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"github.com/dsrhost/dsrhost/sdk"
)

// Service is the admin API's DirectContactService over a Responder.
type Service struct {
	r *Responder
}

var _ adminv1connect.DirectContactServiceHandler = (*Service)(nil)

// Service returns the DirectContactService implementation, for the admin
// API server to mount behind its request validation and size limit
// (api.Options.DirectContact).
func (r *Responder) Service() *Service { return &Service{r: r} }

// ConnectHandler mounts the DirectContactService on its own, as
// adminv1connect.NewDirectContactServiceHandler does: it returns the path
// to mount and the handler. Use it where the admin API server does not
// mount the service itself; pass connect.WithReadMaxBytes to bound
// uploads (SubmitResponseStream's messages are bounded to 1 MiB and a
// little either way).
func (r *Responder) ConnectHandler(opts ...connect.HandlerOption) (string, http.Handler) {
	svc := r.Service()
	path, h := adminv1connect.NewDirectContactServiceHandler(svc, opts...)
	_, stream := adminv1connect.NewDirectContactServiceHandler(svc, append(opts, connect.WithReadMaxBytes(maxStreamMessageBytes))...)
	mux := http.NewServeMux()
	mux.Handle(path, svc.GateSubmit(h))
	mux.Handle(adminv1connect.DirectContactServiceSubmitResponseStreamProcedure, stream)
	return path, mux
}

// maxStreamMessageBytes bounds one SubmitResponseStream message: a chunk
// of at most 1 MiB (1.33 MiB as JSON), or the start, with room for framing (as
// api.MaxStreamMessageBytes).
const maxStreamMessageBytes = 3 << 19

// GetTask returns what the link's processor is asked.
func (s *Service) GetTask(ctx context.Context, req *connect.Request[adminv1.GetTaskRequest]) (*connect.Response[adminv1.GetTaskResponse], error) {
	t, err := s.r.Task(ctx, req.Msg.GetToken())
	if err != nil {
		return nil, toConnect(err)
	}
	out := &adminv1.GetTaskResponse{
		RequestType:   requestTypesOut[t.RequestType],
		WorkflowState: workflowsOut[t.Workflow],
		Subject: &adminv1.Subject{Email: t.Subject.Email, Phone: t.Subject.Phone, UserId: t.Subject.UserID,
			Identifiers: t.Subject.Identifiers},
		Integration: t.Integration,
	}
	if !t.DueAt.IsZero() {
		out.DueAt = timestamppb.New(t.DueAt)
	}
	for _, c := range t.Choices {
		out.Answers = append(out.Answers, answersOut[c.Answer])
	}
	return connect.NewResponse(out), nil
}

// SubmitResponse records the processor's answer and returns the
// integration's new label.
func (s *Service) SubmitResponse(ctx context.Context, req *connect.Request[adminv1.SubmitResponseRequest]) (*connect.Response[adminv1.SubmitResponseResponse], error) {
	sub := Submission{Answer: answersIn[req.Msg.GetAnswer()], Note: req.Msg.GetNote()}
	for _, f := range req.Msg.GetFiles() {
		sub.Files = append(sub.Files, sdk.File{Name: f.GetName(), ContentType: f.GetContentType(), Content: f.GetContent()})
	}
	rec, err := s.r.Submit(ctx, req.Msg.GetToken(), sub)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&adminv1.SubmitResponseResponse{Label: rec.Label}), nil
}

// toConnect maps the responder's errors to Connect codes:
//   - an invalid, expired or used link: permission denied (the token grants
//     nothing);
//   - a link the integration no longer waits on: failed precondition;
//   - an answer being recorded through the same link: aborted (try again);
//   - a wrong field: invalid argument naming it; a limit: resource exhausted.
func toConnect(err error) error {
	var ref *Refusal
	var in *InputError
	switch {
	case errors.As(err, &ref):
		code := connect.CodePermissionDenied
		switch ref.Reason {
		case RefusedClosed:
			code = connect.CodeFailedPrecondition
		case RefusedBusy:
			code = connect.CodeAborted
		}
		return connect.NewError(code, errors.New(ref.Title()+" "+ref.Message()))
	case errors.As(err, &in):
		code := connect.CodeInvalidArgument
		if in.TooLarge {
			code = connect.CodeResourceExhausted
		}
		return connect.NewError(code, errors.New(in.Error()))
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, err)
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	}
	return connect.NewError(connect.CodeInternal, errInternal)
}
