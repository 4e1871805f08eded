package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"github.com/dsrhost/dsrhost/sdk"
)

// post calls a procedure as curl would: an HTTP/1.1 POST of a JSON body.
func post(t *testing.T, srv *apitest.Server, procedure, token, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+procedure, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := apitest.HTTP1Client(t).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", procedure, err)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 1 {
		t.Errorf("answered over %s, want HTTP/1.1", resp.Proto)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("POST %s: %d %q is not JSON: %v", procedure, resp.StatusCode, raw, err)
	}
	return resp.StatusCode, out, resp.Header
}

// TestConnectJSONWithPlainHTTP drives the API as a shell script with curl
// would: JSON in, JSON out, errors as {"code", "message"} with HTTP status.
func TestConnectJSONWithPlainHTTP(t *testing.T) {
	var got engine.CreateInput
	fe := &apitest.FakeEngine{CreateFunc: func(ctx context.Context, in engine.CreateInput) (*engine.Request, error) {
		got = in
		r := apitest.SampleRequest()
		r.Type, r.Subject = in.Type, in.Subject
		return r, nil
	}}
	srv := apitest.Start(t, api.Options{Engine: fe})

	status, body, _ := post(t, srv, adminv1connect.RequestServiceCreateRequestProcedure, apitest.OperatorToken,
		`{"type":"REQUEST_TYPE_DELETION","subject":{"email":"ada@example.com","identifiers":{"crm_id":"42"}},"details":"Delete me"}`)
	if status != http.StatusOK {
		t.Fatalf("create: status %d, body %v", status, body)
	}
	req, _ := body["request"].(map[string]any)
	if req["id"] != apitest.SampleID || req["type"] != "REQUEST_TYPE_DELETION" || req["stage"] != "STAGE_PROCESS" {
		t.Errorf("create answered %v", body)
	}
	integrations, _ := req["integrations"].([]any)
	if len(integrations) != 2 || integrations[0].(map[string]any)["label"] != "Complete 3 records found" {
		t.Errorf("integrations %v", req["integrations"])
	}
	if got.Type != sdk.RequestDeletion || got.Subject.Email != "ada@example.com" || got.Subject.Identifiers["crm_id"] != "42" ||
		got.Details != "Delete me" || got.Actor != apitest.OperatorName {
		t.Errorf("engine got %+v", got)
	}

	status, body, _ = post(t, srv, adminv1connect.RequestServiceCreateRequestProcedure, apitest.OperatorToken,
		`{"type":"REQUEST_TYPE_DELETION","subject":{}}`)
	if status != http.StatusBadRequest || body["code"] != "invalid_argument" || !strings.Contains(body["message"].(string), "subject.email") {
		t.Errorf("create without email: %d %v", status, body)
	}

	status, body, hdr := post(t, srv, adminv1connect.RequestServiceGetRequestProcedure, "", `{"id":"`+apitest.SampleID+`"}`)
	if status != http.StatusUnauthorized || body["code"] != "unauthenticated" {
		t.Errorf("get without token: %d %v", status, body)
	}
	if !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("WWW-Authenticate %q", hdr.Get("WWW-Authenticate"))
	}

	status, body, _ = post(t, srv, adminv1connect.RequestServiceGetRequestProcedure, apitest.ViewerToken, `{"id":"`+apitest.SampleID+`"}`)
	if status != http.StatusOK || body["request"].(map[string]any)["id"] != apitest.SampleID {
		t.Errorf("get: %d %v", status, body)
	}

	status, body, _ = post(t, srv, adminv1connect.RequestServiceCreateRequestProcedure, apitest.ViewerToken, `{}`)
	if status != http.StatusForbidden || body["code"] != "permission_denied" || !strings.Contains(body["message"].(string), "operator") {
		t.Errorf("create as viewer: %d %v", status, body)
	}
}

// TestHealthWithoutToken checks gRPC health answers SERVING to anyone, over
// gRPC and Connect, and NOT_SERVING once shutdown has begun.
func TestHealthWithoutToken(t *testing.T) {
	srv := apitest.Start(t, api.Options{})
	for _, p := range []protocol{protocols[0], protocols[2]} {
		t.Run(p.name, func(t *testing.T) {
			hc := grpchealth.NewClient(p.client(t), srv.URL, p.opts...)
			for _, service := range []string{"", adminv1connect.RequestServiceName} {
				res, err := hc.Check(t.Context(), &grpchealth.CheckRequest{Service: service})
				if err != nil {
					t.Fatalf("check %q: %v", service, err)
				}
				if res.Status != grpchealth.StatusServing {
					t.Errorf("check %q: %v", service, res.Status)
				}
			}
		})
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_ = srv.Server.Shutdown(ctx)
	res, err := srv.Server.Health().Check(t.Context(), &grpchealth.CheckRequest{})
	if err != nil || res.Status != grpchealth.StatusNotServing {
		t.Errorf("after shutdown: %v %v", res, err)
	}
}

// TestReflection lists the services as grpcurl and buf curl do: without a
// token, since they ask for the schema before sending their headers.
func TestReflection(t *testing.T) {
	srv := apitest.Start(t, api.Options{})
	rc := grpcreflect.NewClient(apitest.H2CClient(t), srv.URL, connect.WithGRPC())
	stream := rc.NewStream(t.Context())
	defer func() { _, _ = stream.Close() }()
	names, err := stream.ListServices()
	if err != nil {
		t.Fatalf("list services: %v", err)
	}
	want := map[string]bool{adminv1connect.RequestServiceName: false, adminv1connect.IntegrationServiceName: false,
		adminv1connect.ConfigServiceName: false, grpchealth.HealthV1ServiceName: false}
	for _, n := range names {
		if _, ok := want[string(n)]; ok {
			want[string(n)] = true
		}
	}
	for n, seen := range want {
		if !seen {
			t.Errorf("reflection does not list %s (got %v)", n, names)
		}
	}
	files, err := stream.FileContainingSymbol(adminv1connect.RequestServiceName)
	if err != nil || len(files) == 0 {
		t.Fatalf("describe RequestService: %v", err)
	}
}

// TestProtocolsReturnSameResult creates a request over each protocol and
// compares what comes back.
func TestProtocolsReturnSameResult(t *testing.T) {
	srv := apitest.Start(t, api.Options{Inventory: &apitest.FakeInventory{}})
	var first []byte
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			c := newClients(t, srv, p, apitest.ViewerToken)
			res, err := c.integrations.ListIntegrations(t.Context(), connect.NewRequest(&adminv1.ListIntegrationsRequest{}))
			if err != nil {
				t.Fatalf("list integrations: %v", err)
			}
			raw, err := json.Marshal(res.Msg)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = raw
			} else if !bytes.Equal(first, raw) {
				t.Errorf("answer differs from the first protocol's:\n%s\n%s", raw, first)
			}
			if n := len(res.Msg.GetIntegrations()); n != 3 {
				t.Errorf("%d integrations", n)
			}
		})
	}
}
