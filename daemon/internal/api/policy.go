package api

import (
	"connectrpc.com/grpcreflect"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// Reflection procedures: grpcurl and similar tools list and describe the
// services through them. They take no token, like health: the schema is no
// secret (it is in the repository), and clients such as buf curl ask for it
// before sending their headers. Every data method stays guarded.
const (
	reflectionV1Procedure      = "/" + grpcreflect.ReflectV1ServiceName + "/ServerReflectionInfo"
	reflectionV1AlphaProcedure = "/" + grpcreflect.ReflectV1AlphaServiceName + "/ServerReflectionInfo"
)

// Policy is the role each admin API procedure needs: viewers read,
// operators act, admins also reload the configuration.
// DirectContactService, gRPC health and reflection are not here: they take
// no bearer token. A procedure missing from this table is refused.
var Policy = auth.PolicyMap{
	adminv1connect.RequestServiceGetRequestProcedure:          auth.Viewer,
	adminv1connect.RequestServiceListRequestsProcedure:        auth.Viewer,
	adminv1connect.RequestServiceGetRequestHistoryProcedure:   auth.Viewer,
	adminv1connect.RequestServiceExportResultsProcedure:       auth.Viewer,
	adminv1connect.RequestServiceExportResultsStreamProcedure: auth.Viewer,
	adminv1connect.RequestServiceWatchRequestProcedure:        auth.Viewer,
	adminv1connect.RequestServiceGetRequestReportProcedure:    auth.Viewer,
	adminv1connect.RequestServiceCreateRequestProcedure:       auth.Operator,
	adminv1connect.RequestServiceApproveRequestProcedure:      auth.Operator,
	adminv1connect.RequestServiceRejectRequestProcedure:       auth.Operator,
	adminv1connect.RequestServiceApproveDeletionProcedure:     auth.Operator,
	adminv1connect.RequestServiceExtendRequestProcedure:       auth.Operator,
	adminv1connect.RequestServiceCloseRequestProcedure:        auth.Operator,

	adminv1connect.IntegrationServiceListIntegrationsProcedure:   auth.Viewer,
	adminv1connect.IntegrationServiceTestIntegrationProcedure:    auth.Operator,
	adminv1connect.IntegrationServiceRetryIntegrationProcedure:   auth.Operator,
	adminv1connect.IntegrationServiceStopIntegrationProcedure:    auth.Operator,
	adminv1connect.IntegrationServiceSkipIntegrationProcedure:    auth.Operator,
	adminv1connect.IntegrationServiceCompleteManualTaskProcedure: auth.Operator,

	adminv1connect.ConfigServiceReloadConfigProcedure: auth.Admin,
}
