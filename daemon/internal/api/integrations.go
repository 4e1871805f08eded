package api

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// integrationService implements IntegrationService: the data inventory from
// Inventory, and the operator's controls over one integration on one
// request from the engine.
type integrationService struct {
	engine    Engine
	inventory Inventory
	errs      errorMapper
}

var _ adminv1connect.IntegrationServiceHandler = (*integrationService)(nil)

func (s *integrationService) fail(procedure string, err error) error {
	return s.errs.toConnect(procedure, err)
}

var errNoInventory = connect.NewError(connect.CodeUnavailable, errors.New("the data inventory is not loaded yet; try again in a moment"))

func (s *integrationService) ListIntegrations(ctx context.Context, req *connect.Request[adminv1.ListIntegrationsRequest]) (*connect.Response[adminv1.ListIntegrationsResponse], error) {
	if s.inventory == nil {
		return nil, errNoInventory
	}
	list, err := s.inventory.Integrations(ctx)
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	category := req.Msg.GetCategory()
	out := &adminv1.ListIntegrationsResponse{Integrations: []*adminv1.Integration{}}
	for _, in := range list {
		if category != "" && in.Category != category {
			continue
		}
		out.Integrations = append(out.Integrations, integrationInfoToProto(in))
	}
	return connect.NewResponse(out), nil
}

func (s *integrationService) TestIntegration(ctx context.Context, req *connect.Request[adminv1.TestIntegrationRequest]) (*connect.Response[adminv1.TestIntegrationResponse], error) {
	if s.inventory == nil {
		return nil, errNoInventory
	}
	res, err := s.inventory.Test(ctx, req.Msg.GetName())
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.TestIntegrationResponse{
		Ok: res.OK, Problems: res.Problems, Error: errorInfoToProto(res.Error),
	}), nil
}

func (s *integrationService) RetryIntegration(ctx context.Context, req *connect.Request[adminv1.RetryIntegrationRequest]) (*connect.Response[adminv1.RetryIntegrationResponse], error) {
	it, err := s.engine.Retry(ctx, req.Msg.GetRequestId(), req.Msg.GetName(), auth.Actor(ctx))
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.RetryIntegrationResponse{Integration: integrationStateToProto(it)}), nil
}

func (s *integrationService) StopIntegration(ctx context.Context, req *connect.Request[adminv1.StopIntegrationRequest]) (*connect.Response[adminv1.StopIntegrationResponse], error) {
	it, err := s.engine.Stop(ctx, req.Msg.GetRequestId(), req.Msg.GetName(), auth.Actor(ctx))
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.StopIntegrationResponse{Integration: integrationStateToProto(it)}), nil
}

func (s *integrationService) SkipIntegration(ctx context.Context, req *connect.Request[adminv1.SkipIntegrationRequest]) (*connect.Response[adminv1.SkipIntegrationResponse], error) {
	it, err := s.engine.Skip(ctx, req.Msg.GetRequestId(), req.Msg.GetName(), auth.Actor(ctx))
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.SkipIntegrationResponse{Integration: integrationStateToProto(it)}), nil
}

func (s *integrationService) CompleteManualTask(ctx context.Context, req *connect.Request[adminv1.CompleteManualTaskRequest]) (*connect.Response[adminv1.CompleteManualTaskResponse], error) {
	m := req.Msg
	task, err := s.engine.CompleteManualTask(ctx, m.GetRequestId(), m.GetName(), auth.Actor(ctx), m.GetNote())
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.CompleteManualTaskResponse{Task: manualTaskToProto(task)}), nil
}
