package api

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// WatchRequest sends the request as it is, then again after each change
// with the history event that made it, until the client hangs up or the
// server shuts down. Watching starts before the first read, so no change
// between the two is missed (one may be reported twice).
func (s *requestService) WatchRequest(ctx context.Context, req *connect.Request[adminv1.WatchRequestRequest], stream *connect.ServerStream[adminv1.WatchRequestResponse]) error {
	procedure := req.Spec().Procedure
	id := req.Msg.GetId()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	shutdown := make(chan struct{})
	go func() {
		select {
		case <-s.closing:
			close(shutdown)
			cancel()
		case <-ctx.Done():
		}
	}()

	events, err := s.engine.Watch(ctx, id, "")
	if err != nil {
		return s.fail(procedure, err)
	}
	r, err := s.engine.Get(ctx, id)
	if err != nil {
		return s.fail(procedure, err)
	}
	if err := stream.Send(&adminv1.WatchRequestResponse{Request: requestToProto(r)}); err != nil {
		return err
	}
	for {
		var ev, ok = <-events
		if !ok {
			select {
			case <-shutdown:
				return connect.NewError(connect.CodeUnavailable, errors.New("the server is shutting down; watch again"))
			default:
			}
			if err := ctx.Err(); err != nil {
				return s.fail(procedure, err)
			}
			return connect.NewError(connect.CodeUnavailable, errors.New("the watch was interrupted; watch again"))
		}
		r, err := s.engine.Get(ctx, id)
		if err != nil {
			return s.fail(procedure, err)
		}
		if err := stream.Send(&adminv1.WatchRequestResponse{Request: requestToProto(r), Event: eventToProto(ev)}); err != nil {
			return err
		}
	}
}
