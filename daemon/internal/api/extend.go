package api

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"

	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// Extender extends deadlines; *engine.Engine implements it. It is apart
// from Engine so that engines without it (test fakes) answer ExtendRequest
// as unimplemented.
type Extender interface {
	ExtendedDue(ctx context.Context, id string) (time.Time, error)
	Extend(ctx context.Context, id, actor, reason string, notice engine.Reply) (*engine.Request, error)
}

var _ Extender = (*engine.Engine)(nil)

// ExtendRequest tells the subject first, then moves the due date, so the
// history never records a notice that was not sent.
func (s *requestService) ExtendRequest(ctx context.Context, req *connect.Request[adminv1.ExtendRequestRequest]) (*connect.Response[adminv1.ExtendRequestResponse], error) {
	ext, ok := s.engine.(Extender)
	if !ok {
		return nil, connect.NewError(connect.CodeUnimplemented, errors.New("this daemon cannot extend deadlines"))
	}
	id, reason := req.Msg.GetId(), req.Msg.GetReason()
	due, err := ext.ExtendedDue(ctx, id)
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	r, err := s.engine.Get(ctx, id)
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	notice := reply.ExtensionNotice(r, due, reason)
	if s.replier != nil {
		if err := s.replier.Send(ctx, r, notice); err != nil {
			return nil, connect.NewError(connect.CodeUnavailable,
				errors.New("the notice to the subject could not be sent, so the deadline was left unchanged; check the smtp block and the daemon's log, then try again"))
		}
	}
	r, err = ext.Extend(ctx, id, auth.Actor(ctx), reason, notice)
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.ExtendRequestResponse{Request: requestToProto(r), Notice: replyToProto(notice)}), nil
}
