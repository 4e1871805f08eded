package api

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// Extender extends deadlines; *engine.Engine implements it. It is apart
// from Engine so that engines without it (test fakes) answer ExtendRequest
// as unimplemented.
type Extender = reply.Extender

var _ Extender = (*engine.Engine)(nil)

// ExtendRequest tells the subject first, then moves the due date (see
// reply.Extend).
func (s *requestService) ExtendRequest(ctx context.Context, req *connect.Request[adminv1.ExtendRequestRequest]) (*connect.Response[adminv1.ExtendRequestResponse], error) {
	ext, ok := s.engine.(Extender)
	if !ok {
		return nil, connect.NewError(connect.CodeUnimplemented, errors.New("this daemon cannot extend deadlines"))
	}
	r, notice, err := reply.Extend(ctx, ext, s.replier, req.Msg.GetId(), auth.Actor(ctx), req.Msg.GetReason())
	var notSent *reply.ExtensionError
	if errors.As(err, &notSent) {
		return nil, connect.NewError(connect.CodeUnavailable, errors.New(notSent.Error()))
	}
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.ExtendRequestResponse{Request: requestToProto(r), Notice: replyToProto(notice)}), nil
}
