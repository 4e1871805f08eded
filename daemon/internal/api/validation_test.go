package api_test

import (
	"context"
	"strings"
	"testing"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// TestValidation sends calls that break one rule each and checks the answer
// is invalid_argument naming the field, that the engine was never called,
// and that the violations travel as an error detail for programs.
func TestValidation(t *testing.T) {
	fe := &apitest.FakeEngine{}
	srv := apitest.Start(t, api.Options{Engine: fe, Inventory: &apitest.FakeInventory{}})
	c := newClients(t, srv, protocols[0], apitest.AdminToken)
	long := strings.Repeat("x", 2001)
	tests := []struct {
		name string
		call func(ctx context.Context) error
		// field is the path the error must name.
		field string
	}{
		{"create without email", func(ctx context.Context) error {
			_, err := c.requests.CreateRequest(ctx, connect.NewRequest(&adminv1.CreateRequestRequest{
				Type: adminv1.RequestType_REQUEST_TYPE_ACCESS, Subject: &adminv1.Subject{}}))
			return err
		}, "subject.email"},
		{"create without subject", func(ctx context.Context) error {
			_, err := c.requests.CreateRequest(ctx, connect.NewRequest(&adminv1.CreateRequestRequest{
				Type: adminv1.RequestType_REQUEST_TYPE_ACCESS}))
			return err
		}, "subject"},
		{"create with a bad email", func(ctx context.Context) error {
			_, err := c.requests.CreateRequest(ctx, connect.NewRequest(&adminv1.CreateRequestRequest{
				Type: adminv1.RequestType_REQUEST_TYPE_ACCESS, Subject: &adminv1.Subject{Email: "not an address"}}))
			return err
		}, "subject.email"},
		{"create without type", func(ctx context.Context) error {
			_, err := c.requests.CreateRequest(ctx, connect.NewRequest(&adminv1.CreateRequestRequest{
				Subject: &adminv1.Subject{Email: "subject@example.com"}}))
			return err
		}, "type"},
		{"create with an undefined type", func(ctx context.Context) error {
			_, err := c.requests.CreateRequest(ctx, connect.NewRequest(&adminv1.CreateRequestRequest{
				Type: 42, Subject: &adminv1.Subject{Email: "subject@example.com"}}))
			return err
		}, "type"},
		{"create with too many identifiers", func(ctx context.Context) error {
			ids := map[string]string{}
			for i := range 33 {
				ids[strings.Repeat("k", i+1)] = "v"
			}
			_, err := c.requests.CreateRequest(ctx, connect.NewRequest(&adminv1.CreateRequestRequest{
				Type: adminv1.RequestType_REQUEST_TYPE_ACCESS, Subject: &adminv1.Subject{Email: "subject@example.com", Identifiers: ids}}))
			return err
		}, "subject.identifiers"},
		{"get with an empty id", func(ctx context.Context) error {
			_, err := c.requests.GetRequest(ctx, connect.NewRequest(&adminv1.GetRequestRequest{}))
			return err
		}, "id"},
		{"get with a lower-case id", func(ctx context.Context) error {
			_, err := c.requests.GetRequest(ctx, connect.NewRequest(&adminv1.GetRequestRequest{Id: strings.ToLower(apitest.SampleID)}))
			return err
		}, "id"},
		{"get with an id holding U", func(ctx context.Context) error {
			_, err := c.requests.GetRequest(ctx, connect.NewRequest(&adminv1.GetRequestRequest{Id: "01JA2B3C4D5E6F7G8H9JKMNPQU"}))
			return err
		}, "id"},
		{"list with page_size over 1000", func(ctx context.Context) error {
			_, err := c.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{PageSize: 1001}))
			return err
		}, "page_size"},
		{"list with a negative page_size", func(ctx context.Context) error {
			_, err := c.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{PageSize: -1}))
			return err
		}, "page_size"},
		{"list with an undefined stage", func(ctx context.Context) error {
			_, err := c.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{Stage: 9}))
			return err
		}, "stage"},
		{"list with a malformed page token", func(ctx context.Context) error {
			_, err := c.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{PageToken: "not-a-token"}))
			return err
		}, "page_token"},
		{"list with a lower-case page token", func(ctx context.Context) error {
			_, err := c.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{PageToken: strings.ToLower(apitest.SampleID)}))
			return err
		}, "page_token"},
		{"list with an undefined type", func(ctx context.Context) error {
			_, err := c.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{Type: 77}))
			return err
		}, "type"},
		{"list with an undefined integration status", func(ctx context.Context) error {
			_, err := c.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{IntegrationStatus: 77}))
			return err
		}, "integration_status"},
		{"submit with an undefined answer", func(ctx context.Context) error {
			_, err := c.directContact.SubmitResponse(ctx, connect.NewRequest(&adminv1.SubmitResponseRequest{Token: "t", Answer: 77}))
			return err
		}, "answer"},
		{"list with a bad integration name", func(ctx context.Context) error {
			_, err := c.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{Integration: "../etc"}))
			return err
		}, "integration"},
		{"approve naming a source twice", func(ctx context.Context) error {
			_, err := c.requests.ApproveRequest(ctx, connect.NewRequest(&adminv1.ApproveRequestRequest{Id: apitest.SampleID, Sources: []string{"crm", "crm"}}))
			return err
		}, "sources"},
		{"reject with a long reason", func(ctx context.Context) error {
			_, err := c.requests.RejectRequest(ctx, connect.NewRequest(&adminv1.RejectRequestRequest{Id: apitest.SampleID, Reason: long}))
			return err
		}, "reason"},
		{"close with a two-line subject", func(ctx context.Context) error {
			_, err := c.requests.CloseRequest(ctx, connect.NewRequest(&adminv1.CloseRequestRequest{Id: apitest.SampleID,
				Reply: &adminv1.Reply{Subject: "Hello\nBcc: someone"}}))
			return err
		}, "reply.subject"},
		{"watch with a bad id", func(ctx context.Context) error {
			stream, err := c.requests.WatchRequest(ctx, connect.NewRequest(&adminv1.WatchRequestRequest{Id: "nope"}))
			if err != nil {
				return err
			}
			defer stream.Close()
			for stream.Receive() {
			}
			return stream.Err()
		}, "id"},
		{"retry without a name", func(ctx context.Context) error {
			_, err := c.integrations.RetryIntegration(ctx, connect.NewRequest(&adminv1.RetryIntegrationRequest{RequestId: apitest.SampleID}))
			return err
		}, "name"},
		{"stop without a request id", func(ctx context.Context) error {
			_, err := c.integrations.StopIntegration(ctx, connect.NewRequest(&adminv1.StopIntegrationRequest{Name: "crm"}))
			return err
		}, "request_id"},
		{"complete with a long note", func(ctx context.Context) error {
			_, err := c.integrations.CompleteManualTask(ctx, connect.NewRequest(&adminv1.CompleteManualTaskRequest{
				RequestId: apitest.SampleID, Name: "paper-archive", Note: long}))
			return err
		}, "note"},
		{"test an unnamed integration", func(ctx context.Context) error {
			_, err := c.integrations.TestIntegration(ctx, connect.NewRequest(&adminv1.TestIntegrationRequest{}))
			return err
		}, "name"},
		{"submit without an answer", func(ctx context.Context) error {
			_, err := c.directContact.SubmitResponse(ctx, connect.NewRequest(&adminv1.SubmitResponseRequest{Token: "t"}))
			return err
		}, "answer"},
		{"stream a chunk over 1 MiB", func(ctx context.Context) error {
			s := c.directContact.SubmitResponseStream(ctx)
			_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Chunk{Chunk: make([]byte, 1<<20+1)}})
			_, err := s.CloseAndReceive()
			return err
		}, "chunk"},
		{"stream an empty message", func(ctx context.Context) error {
			s := c.directContact.SubmitResponseStream(ctx)
			_ = s.Send(&adminv1.SubmitResponseStreamRequest{})
			_, err := s.CloseAndReceive()
			return err
		}, "part"},
		{"stream a start without a token", func(ctx context.Context) error {
			s := c.directContact.SubmitResponseStream(ctx)
			_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Start{Start: &adminv1.SubmitResponseStart{
				Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_DELETED}}})
			_, err := s.CloseAndReceive()
			return err
		}, "start.token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(fe.Calls())
			err := tt.call(t.Context())
			wantCode(t, err, connect.CodeInvalidArgument, tt.field+":")
			if calls := fe.Calls()[before:]; len(calls) != 0 {
				t.Errorf("an invalid call reached the engine: %v", calls)
			}
			var ce *connect.Error
			if !asConnect(err, &ce) {
				return
			}
			found := false
			for _, d := range ce.Details() {
				v, derr := d.Value()
				if derr != nil {
					t.Fatalf("error detail: %v", derr)
				}
				if viol, ok := v.(*validate.Violations); ok && len(viol.GetViolations()) > 0 {
					found = true
				}
			}
			if !found {
				t.Errorf("no buf.validate.Violations detail in %v", err)
			}
		})
	}
}

// TestValidationAcceptsGoodCalls guards against rules so strict they refuse
// what clients legitimately send.
func TestValidationAcceptsGoodCalls(t *testing.T) {
	srv := apitest.Start(t, api.Options{})
	c := newClients(t, srv, protocols[0], apitest.OperatorToken)
	_, err := c.requests.CreateRequest(t.Context(), connect.NewRequest(&adminv1.CreateRequestRequest{
		Type: adminv1.RequestType_REQUEST_TYPE_RIGHT_TO_EDIT,
		Subject: &adminv1.Subject{Email: "ada.lovelace+privacy@example.co.uk", Phone: "+44 20 7946 0000", UserId: "u-42",
			Identifiers: map[string]string{"shopify_customer_id": "123"}},
		Details: "Please fix my address.", Source: "privacy_center", SourceDetail: "form v2",
	}))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	_, err = c.requests.ListRequests(t.Context(), connect.NewRequest(&adminv1.ListRequestsRequest{
		Stage: adminv1.Stage_STAGE_PROCESS, Integration: "acme-support.v2", PageSize: 1000, PageToken: apitest.SampleID,
		IntegrationStatus: adminv1.IntegrationStatus_INTEGRATION_STATUS_ERROR, Email: "subject@example.com"}))
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	_, err = c.requests.ApproveRequest(t.Context(), connect.NewRequest(&adminv1.ApproveRequestRequest{
		Id: "7ZZZZZZZZZZZZZZZZZZZZZZZZZ", Sources: []string{"crm", "paper-archive", "Heap_EU"}}))
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
}
