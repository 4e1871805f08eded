package api

import (
	"bytes"
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/archive"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// requestService implements RequestService over the engine. Request
// messages arrive validated; the handlers convert, call and map errors.
type requestService struct {
	engine  Engine
	replier Replier
	errs    errorMapper
	// closing ends WatchRequest streams when the server shuts down.
	closing <-chan struct{}
	clock   func() time.Time
}

var _ adminv1connect.RequestServiceHandler = (*requestService)(nil)

func (s *requestService) fail(procedure string, err error) error {
	return s.errs.toConnect(procedure, err)
}

func (s *requestService) CreateRequest(ctx context.Context, req *connect.Request[adminv1.CreateRequestRequest]) (*connect.Response[adminv1.CreateRequestResponse], error) {
	m := req.Msg
	r, err := s.engine.Create(ctx, engine.CreateInput{
		Type:         requestTypes[m.GetType()],
		Subject:      subjectFromProto(m.GetSubject()),
		Details:      m.GetDetails(),
		Source:       m.GetSource(),
		SourceDetail: m.GetSourceDetail(),
		Actor:        auth.Actor(ctx),
	})
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.CreateRequestResponse{Request: requestToProto(r)}), nil
}

func (s *requestService) GetRequest(ctx context.Context, req *connect.Request[adminv1.GetRequestRequest]) (*connect.Response[adminv1.GetRequestResponse], error) {
	r, err := s.engine.Get(ctx, req.Msg.GetId())
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.GetRequestResponse{Request: requestToProto(r)}), nil
}

// defaultPageSize is the page size when the caller asks for none.
const defaultPageSize = 50

func (s *requestService) ListRequests(ctx context.Context, req *connect.Request[adminv1.ListRequestsRequest]) (*connect.Response[adminv1.ListRequestsResponse], error) {
	m := req.Msg
	f := engine.Filter{
		Stage:             stages[m.GetStage()],
		Type:              requestTypes[m.GetType()],
		IntegrationStatus: statuses[m.GetIntegrationStatus()],
		Integration:       m.GetIntegration(),
		Email:             m.GetEmail(),
	}
	if m.GetDueBefore() != nil {
		f.DueBefore = m.GetDueBefore().AsTime()
	}
	size := int(m.GetPageSize())
	if size == 0 {
		size = defaultPageSize
	}
	list, next, err := s.engine.List(ctx, f, m.GetPageToken(), size)
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	out := &adminv1.ListRequestsResponse{NextPageToken: next, Requests: make([]*adminv1.Request, 0, len(list))}
	for _, r := range list {
		out.Requests = append(out.Requests, requestToProto(r))
	}
	return connect.NewResponse(out), nil
}

func (s *requestService) ApproveRequest(ctx context.Context, req *connect.Request[adminv1.ApproveRequestRequest]) (*connect.Response[adminv1.ApproveRequestResponse], error) {
	r, err := s.engine.Approve(ctx, req.Msg.GetId(), auth.Actor(ctx), req.Msg.GetSources())
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.ApproveRequestResponse{Request: requestToProto(r)}), nil
}

func (s *requestService) RejectRequest(ctx context.Context, req *connect.Request[adminv1.RejectRequestRequest]) (*connect.Response[adminv1.RejectRequestResponse], error) {
	id := req.Msg.GetId()
	reply, err := s.reply(ctx, id, rejectedTemplate, req.Msg.GetReply(), state.StageReview)
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	r, err := s.engine.Reject(ctx, id, auth.Actor(ctx), req.Msg.GetReason(), reply)
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.RejectRequestResponse{Request: requestToProto(r)}), nil
}

func (s *requestService) ApproveDeletion(ctx context.Context, req *connect.Request[adminv1.ApproveDeletionRequest]) (*connect.Response[adminv1.ApproveDeletionResponse], error) {
	r, err := s.engine.ApproveDeletion(ctx, req.Msg.GetId(), auth.Actor(ctx))
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.ApproveDeletionResponse{Request: requestToProto(r)}), nil
}

func (s *requestService) CloseRequest(ctx context.Context, req *connect.Request[adminv1.CloseRequestRequest]) (*connect.Response[adminv1.CloseRequestResponse], error) {
	id := req.Msg.GetId()
	reply, err := s.reply(ctx, id, "", req.Msg.GetReply(), state.StageReply)
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	r, err := s.engine.Close(ctx, id, auth.Actor(ctx), reply)
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.CloseRequestResponse{Request: requestToProto(r), Reply: replyToProto(reply)}), nil
}

// rejectedTemplate is the reply template of a rejection.
const rejectedTemplate = "rejected"

// reply composes and sends the answer to the subject before the request
// changes (see reply.ComposeAndSend). A reply that could not be sent is
// Unavailable, its cause (which may quote the subject's address) kept out
// of the answer.
func (s *requestService) reply(ctx context.Context, id, template string, edited *adminv1.Reply, want state.Stage) (engine.Reply, error) {
	out, err := reply.ComposeAndSend(ctx, s.engine, s.replier, id, template, replyFromProto(edited), want)
	var notSent *reply.SendError
	if errors.As(err, &notSent) {
		return engine.Reply{}, connect.NewError(connect.CodeUnavailable, errors.New(notSent.Error()))
	}
	return out, err
}

func (s *requestService) GetRequestHistory(ctx context.Context, req *connect.Request[adminv1.GetRequestHistoryRequest]) (*connect.Response[adminv1.GetRequestHistoryResponse], error) {
	evs, err := s.engine.History(ctx, req.Msg.GetId())
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	out := &adminv1.GetRequestHistoryResponse{Events: make([]*adminv1.HistoryEvent, 0, len(evs))}
	for _, ev := range evs {
		out.Events = append(out.Events, eventToProto(ev))
	}
	return connect.NewResponse(out), nil
}

func (s *requestService) ExportResults(ctx context.Context, req *connect.Request[adminv1.ExportResultsRequest]) (*connect.Response[adminv1.ExportResultsResponse], error) {
	id := req.Msg.GetId()
	r, err := s.engine.Get(ctx, id)
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	results, err := s.engine.Results(ctx, id)
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	var buf bytes.Buffer
	if err := archive.Write(ctx, &buf, r, results, archive.Options{Now: s.clock()}); err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.ExportResultsResponse{Filename: archive.Name(id), Archive: buf.Bytes()}), nil
}
