package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// method is one admin API method with a valid call to it.
type method struct {
	procedure string
	// need is the role the call needs; 0 for no token at all.
	need auth.Role
	call func(ctx context.Context, c clients) error
}

const id = apitest.SampleID

// methods lists every method of every service. TestPolicyCoversEveryMethod
// checks that none is missing.
var methods = []method{
	{adminv1connect.RequestServiceCreateRequestProcedure, auth.Operator, func(ctx context.Context, c clients) error {
		_, err := c.requests.CreateRequest(ctx, connect.NewRequest(&adminv1.CreateRequestRequest{
			Type: adminv1.RequestType_REQUEST_TYPE_DELETION, Subject: &adminv1.Subject{Email: "subject@example.com"}}))
		return err
	}},
	{adminv1connect.RequestServiceGetRequestProcedure, auth.Viewer, func(ctx context.Context, c clients) error {
		_, err := c.requests.GetRequest(ctx, connect.NewRequest(&adminv1.GetRequestRequest{Id: id}))
		return err
	}},
	{adminv1connect.RequestServiceListRequestsProcedure, auth.Viewer, func(ctx context.Context, c clients) error {
		_, err := c.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{}))
		return err
	}},
	{adminv1connect.RequestServiceApproveRequestProcedure, auth.Operator, func(ctx context.Context, c clients) error {
		_, err := c.requests.ApproveRequest(ctx, connect.NewRequest(&adminv1.ApproveRequestRequest{Id: id}))
		return err
	}},
	{adminv1connect.RequestServiceRejectRequestProcedure, auth.Operator, func(ctx context.Context, c clients) error {
		_, err := c.requests.RejectRequest(ctx, connect.NewRequest(&adminv1.RejectRequestRequest{Id: id}))
		return err
	}},
	{adminv1connect.RequestServiceApproveDeletionProcedure, auth.Operator, func(ctx context.Context, c clients) error {
		_, err := c.requests.ApproveDeletion(ctx, connect.NewRequest(&adminv1.ApproveDeletionRequest{Id: id}))
		return err
	}},
	{adminv1connect.RequestServiceCloseRequestProcedure, auth.Operator, func(ctx context.Context, c clients) error {
		_, err := c.requests.CloseRequest(ctx, connect.NewRequest(&adminv1.CloseRequestRequest{Id: id}))
		return err
	}},
	{adminv1connect.RequestServiceExtendRequestProcedure, auth.Operator, func(ctx context.Context, c clients) error {
		_, err := c.requests.ExtendRequest(ctx, connect.NewRequest(&adminv1.ExtendRequestRequest{Id: id, Reason: "many systems"}))
		return err
	}},
	{adminv1connect.RequestServiceGetRequestHistoryProcedure, auth.Viewer, func(ctx context.Context, c clients) error {
		_, err := c.requests.GetRequestHistory(ctx, connect.NewRequest(&adminv1.GetRequestHistoryRequest{Id: id}))
		return err
	}},
	{adminv1connect.RequestServiceExportResultsProcedure, auth.Viewer, func(ctx context.Context, c clients) error {
		_, err := c.requests.ExportResults(ctx, connect.NewRequest(&adminv1.ExportResultsRequest{Id: id}))
		return err
	}},
	{adminv1connect.RequestServiceExportResultsStreamProcedure, auth.Viewer, func(ctx context.Context, c clients) error {
		stream, err := c.requests.ExportResultsStream(ctx, connect.NewRequest(&adminv1.ExportResultsStreamRequest{Id: id}))
		if err != nil {
			return err
		}
		defer stream.Close()
		for stream.Receive() {
		}
		return stream.Err()
	}},
	{adminv1connect.RequestServiceWatchRequestProcedure, auth.Viewer, func(ctx context.Context, c clients) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stream, err := c.requests.WatchRequest(ctx, connect.NewRequest(&adminv1.WatchRequestRequest{Id: id}))
		if err != nil {
			return err
		}
		defer stream.Close()
		// The fake engine sends one event at once: receive the request
		// and that event, after which the handler calls the engine no
		// more. Hanging up earlier leaves the handler's read for the
		// event to land in the next subtest's calls.
		for i := range 2 {
			if !stream.Receive() {
				return stream.Err()
			}
			if got := stream.Msg().GetRequest().GetId(); got != id {
				return fmt.Errorf("watch sent request %q", got)
			}
			if hasEvent := stream.Msg().GetEvent() != nil; hasEvent != (i == 1) {
				return fmt.Errorf("message %d: event %v", i, stream.Msg().GetEvent())
			}
		}
		return nil
	}},
	{adminv1connect.RequestServiceGetRequestReportProcedure, auth.Viewer, func(ctx context.Context, c clients) error {
		_, err := c.requests.GetRequestReport(ctx, connect.NewRequest(&adminv1.GetRequestReportRequest{
			From: timestamppb.New(apitest.SampleTime), To: timestamppb.New(apitest.SampleTime.Add(24 * time.Hour)),
		}))
		return err
	}},
	{adminv1connect.IntegrationServiceListIntegrationsProcedure, auth.Viewer, func(ctx context.Context, c clients) error {
		_, err := c.integrations.ListIntegrations(ctx, connect.NewRequest(&adminv1.ListIntegrationsRequest{}))
		return err
	}},
	{adminv1connect.IntegrationServiceTestIntegrationProcedure, auth.Operator, func(ctx context.Context, c clients) error {
		_, err := c.integrations.TestIntegration(ctx, connect.NewRequest(&adminv1.TestIntegrationRequest{Name: "crm"}))
		return err
	}},
	{adminv1connect.IntegrationServiceRetryIntegrationProcedure, auth.Operator, func(ctx context.Context, c clients) error {
		_, err := c.integrations.RetryIntegration(ctx, connect.NewRequest(&adminv1.RetryIntegrationRequest{RequestId: id, Name: "crm"}))
		return err
	}},
	{adminv1connect.IntegrationServiceStopIntegrationProcedure, auth.Operator, func(ctx context.Context, c clients) error {
		_, err := c.integrations.StopIntegration(ctx, connect.NewRequest(&adminv1.StopIntegrationRequest{RequestId: id, Name: "crm"}))
		return err
	}},
	{adminv1connect.IntegrationServiceSkipIntegrationProcedure, auth.Operator, func(ctx context.Context, c clients) error {
		_, err := c.integrations.SkipIntegration(ctx, connect.NewRequest(&adminv1.SkipIntegrationRequest{RequestId: id, Name: "crm"}))
		return err
	}},
	{adminv1connect.IntegrationServiceCompleteManualTaskProcedure, auth.Operator, func(ctx context.Context, c clients) error {
		_, err := c.integrations.CompleteManualTask(ctx, connect.NewRequest(&adminv1.CompleteManualTaskRequest{RequestId: id, Name: "paper-archive"}))
		return err
	}},
	{adminv1connect.ConfigServiceReloadConfigProcedure, auth.Admin, func(ctx context.Context, c clients) error {
		_, err := c.config.ReloadConfig(ctx, connect.NewRequest(&adminv1.ReloadConfigRequest{}))
		return err
	}},
	// Direct Contact takes no bearer token; until its handlers are wired
	// in it answers unimplemented, whoever calls.
	{adminv1connect.DirectContactServiceGetTaskProcedure, 0, func(ctx context.Context, c clients) error {
		_, err := c.directContact.GetTask(ctx, connect.NewRequest(&adminv1.GetTaskRequest{Token: "link-token"}))
		return err
	}},
	{adminv1connect.DirectContactServiceSubmitResponseProcedure, 0, func(ctx context.Context, c clients) error {
		_, err := c.directContact.SubmitResponse(ctx, connect.NewRequest(&adminv1.SubmitResponseRequest{
			Token: "link-token", Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_DELETED}))
		return err
	}},
	{adminv1connect.DirectContactServiceSubmitResponseStreamProcedure, 0, func(ctx context.Context, c clients) error {
		s := c.directContact.SubmitResponseStream(ctx)
		_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Start{Start: &adminv1.SubmitResponseStart{
			Token: "link-token", Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_DELETED}}})
		_, err := s.CloseAndReceive()
		return err
	}},
}

// caller is one column of the auth matrix.
type caller struct {
	name  string
	token string
	role  auth.Role
	// actor is the name handlers must record.
	actor string
}

var callers = []caller{
	{name: "no token"},
	{name: "bad token", token: "not-a-configured-token"},
	{name: "viewer", token: apitest.ViewerToken, role: auth.Viewer, actor: apitest.ViewerName},
	{name: "operator", token: apitest.OperatorToken, role: auth.Operator, actor: apitest.OperatorName},
	{name: "admin", token: apitest.AdminToken, role: auth.Admin, actor: apitest.AdminName},
}

func reloader(ctx context.Context) (*api.ReloadResult, error) {
	return &api.ReloadResult{Applied: true, Changed: []string{"crm"}}, nil
}

// TestAuthMatrix calls every method of every service as every kind of
// caller over Connect: unauthenticated without a valid token,
// permission_denied below the method's role, success otherwise, with the
// token's name passed to the engine as the actor.
func TestAuthMatrix(t *testing.T) {
	fe := &apitest.FakeEngine{}
	srv := apitest.Start(t, api.Options{Engine: fe, Inventory: &apitest.FakeInventory{}, Reload: reloader})
	p := protocols[0]
	for _, m := range methods {
		for _, c := range callers {
			t.Run(method2name(m.procedure)+"/"+c.name, func(t *testing.T) {
				before := len(fe.Calls())
				err := m.call(t.Context(), newClients(t, srv, p, c.token))
				var want connect.Code
				switch {
				case m.need == 0:
					want = connect.CodeUnimplemented
				case c.role == 0:
					want = connect.CodeUnauthenticated
				case !c.role.Allows(m.need):
					want = connect.CodePermissionDenied
				}
				if got := codeOf(err); got != want {
					t.Fatalf("%s as %s: code %v (%v), want %v", m.procedure, c.name, got, err, want)
				}
				calls := fe.Calls()[before:]
				if want != 0 {
					if len(calls) != 0 {
						t.Errorf("refused call reached the engine: %v", calls)
					}
					return
				}
				for _, call := range calls {
					if call.Actor != "" && call.Actor != c.actor {
						t.Errorf("engine %s called as %q, want %q", call.Method, call.Actor, c.actor)
					}
				}
			})
		}
	}
}

// TestAuthMatrixProtocols repeats the matrix's edges (no token, too small a
// role, enough) over gRPC and gRPC-Web, whose errors travel in trailers.
func TestAuthMatrixProtocols(t *testing.T) {
	srv := apitest.Start(t, api.Options{Inventory: &apitest.FakeInventory{}, Reload: reloader})
	for _, p := range protocols[1:] {
		for _, m := range methods {
			if m.need == 0 {
				continue
			}
			t.Run(p.name+"/"+method2name(m.procedure), func(t *testing.T) {
				wantCode(t, m.call(t.Context(), newClients(t, srv, p, "")), connect.CodeUnauthenticated)
				if m.need > auth.Viewer {
					wantCode(t, m.call(t.Context(), newClients(t, srv, p, apitest.ViewerToken)), connect.CodePermissionDenied)
				}
				if err := m.call(t.Context(), newClients(t, srv, p, apitest.AdminToken)); err != nil {
					t.Fatalf("as admin: %v", err)
				}
			})
		}
	}
}

// TestPolicyCoversEveryMethod fails when a method is added to admin.proto
// without a role in api.Policy (it would be refused to everyone) or
// without a row in this file's matrix.
func TestPolicyCoversEveryMethod(t *testing.T) {
	tested := map[string]bool{}
	for _, m := range methods {
		tested[m.procedure] = true
	}
	services := adminv1.File_dsrhost_admin_v1_admin_proto.Services()
	for i := range services.Len() {
		svc := services.Get(i)
		for j := range svc.Methods().Len() {
			proc := "/" + string(svc.FullName()) + "/" + string(svc.Methods().Get(j).Name())
			if !tested[proc] {
				t.Errorf("%s has no row in the auth matrix", proc)
			}
			_, inPolicy := api.Policy[proc]
			if public := svc.FullName() == adminv1connect.DirectContactServiceName; inPolicy == public {
				t.Errorf("%s: in policy %v, but public %v", proc, inPolicy, public)
			}
		}
	}
}

func method2name(procedure string) string {
	for i := len(procedure) - 1; i >= 0; i-- {
		if procedure[i] == '/' {
			return procedure[i+1:]
		}
	}
	return procedure
}
