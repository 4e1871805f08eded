package api

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// configService implements ConfigService over the daemon's Reloader.
type configService struct {
	reload Reloader
	errs   errorMapper
}

var _ adminv1connect.ConfigServiceHandler = (*configService)(nil)

func (s *configService) ReloadConfig(ctx context.Context, req *connect.Request[adminv1.ReloadConfigRequest]) (*connect.Response[adminv1.ReloadConfigResponse], error) {
	if s.reload == nil {
		return nil, connect.NewError(connect.CodeUnimplemented, errors.New("this server cannot reload its configuration"))
	}
	res, err := s.reload(ctx)
	if err != nil {
		return nil, s.errs.toConnect(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.ReloadConfigResponse{
		Applied:     res.Applied,
		Diagnostics: res.Diagnostics,
		Added:       res.Added,
		Removed:     res.Removed,
		Changed:     res.Changed,
	}), nil
}
