package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"github.com/dsrhost/dsrhost/sdk"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
)

// grpcClient dials srv as grpcurl does: google.golang.org/grpc with its
// defaults (4 MiB receive limit), plaintext HTTP/2.
func grpcClient(t *testing.T, srv *apitest.Server) *grpc.ClientConn {
	t.Helper()
	cc, err := grpc.NewClient(srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

// TestStandardGRPCClient does what `grpcurl -H 'Authorization: Bearer …'`
// does: health and reflection without a token, then a data method, which
// stays guarded.
func TestStandardGRPCClient(t *testing.T) {
	srv := apitest.Start(t, api.Options{})
	cc := grpcClient(t, srv)
	ctx := t.Context()

	res, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health without a token: %v %v", res, err)
	}

	stream, err := reflectpb.NewServerReflectionClient(cc).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectpb.ServerReflectionRequest{
		MessageRequest: &reflectpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	answer, err := stream.Recv()
	if err != nil {
		t.Fatalf("reflection without a token: %v", err)
	}
	var names []string
	for _, s := range answer.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	if !strings.Contains(strings.Join(names, " "), adminv1connect.RequestServiceName) {
		t.Errorf("reflection lists %v", names)
	}
	_ = stream.CloseSend()

	create := "/" + adminv1connect.RequestServiceName + "/CreateRequest"
	req := &adminv1.CreateRequestRequest{Type: adminv1.RequestType_REQUEST_TYPE_ACCESS, Subject: &adminv1.Subject{Email: "subject@example.com"}}
	err = cc.Invoke(ctx, create, req, new(adminv1.CreateRequestResponse))
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("CreateRequest without a token: %v, want Unauthenticated", err)
	}
	authed := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+apitest.OperatorToken)
	if err := cc.Invoke(authed, create, req, new(adminv1.CreateRequestResponse)); err != nil {
		t.Errorf("CreateRequest with a token: %v", err)
	}
}

// TestCORS sends browsers' preflights: an allowed origin gets the methods
// and headers a Connect or gRPC-Web call with a bearer token needs; any
// other origin gets no CORS headers, so the browser refuses the call.
func TestCORS(t *testing.T) {
	srv := apitest.Start(t, api.Options{CORSOrigins: []string{"https://console.example.com", "https://*.example.org"}})
	tests := []struct {
		origin string
		allow  bool
	}{
		{"https://console.example.com", true},
		{"https://a.example.org", true},
		{"https://evil.example.net", false},
		{"http://console.example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodOptions, srv.URL+adminv1connect.RequestServiceListRequestsProcedure, nil)
			req.Header.Set("Origin", tt.origin)
			req.Header.Set("Access-Control-Request-Method", http.MethodPost)
			req.Header.Set("Access-Control-Request-Headers", "authorization,connect-protocol-version,content-type")
			res, err := apitest.HTTP1Client(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = res.Body.Close()
			got := res.Header.Get("Access-Control-Allow-Origin")
			if !tt.allow {
				if got != "" || res.StatusCode/100 == 2 && res.Header.Get("Access-Control-Allow-Methods") != "" {
					t.Fatalf("preflight from %s allowed: %d %v", tt.origin, res.StatusCode, res.Header)
				}
				return
			}
			if res.StatusCode/100 != 2 || got != tt.origin {
				t.Fatalf("preflight: %d, Allow-Origin %q", res.StatusCode, got)
			}
			headers := strings.ToLower(res.Header.Get("Access-Control-Allow-Headers"))
			for _, h := range []string{"authorization", "content-type", "connect-protocol-version"} {
				if !strings.Contains(headers, h) {
					t.Errorf("Allow-Headers %q lacks %s", headers, h)
				}
			}
		})
	}

	// Without cors_origins a preflight is refused as before.
	plain := apitest.Start(t, api.Options{})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodOptions, plain.URL+adminv1connect.RequestServiceListRequestsProcedure, nil)
	req.Header.Set("Origin", "https://console.example.com")
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	res, err := apitest.HTTP1Client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS headers without cors_origins: %v", res.Header)
	}
}

// TestExportStreamDefaultGRPCLimits exports a request holding 20 MiB of
// uploaded files through a google.golang.org/grpc client with default
// settings: ExportResults is refused by the client's 4 MiB receive limit,
// ExportResultsStream delivers the whole archive in messages under it.
func TestExportStreamDefaultGRPCLimits(t *testing.T) {
	content := make([]byte, 20<<20)
	if _, err := rand.Read(content); err != nil { // incompressible
		t.Fatal(err)
	}
	fe := &apitest.FakeEngine{ResultsFunc: func(context.Context, string) ([]engine.Result, error) {
		return []engine.Result{{Integration: "acme-support", Workflow: state.Extracting, Files: []sdk.File{
			{Name: "big.bin", ContentType: "application/octet-stream", Content: content},
		}}}, nil
	}}
	srv := apitest.Start(t, api.Options{Engine: fe})
	cc := grpcClient(t, srv)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+apitest.ViewerToken)

	err := cc.Invoke(ctx, adminv1connect.RequestServiceExportResultsProcedure,
		&adminv1.ExportResultsRequest{Id: apitest.SampleID}, new(adminv1.ExportResultsResponse))
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("unary export of 20 MiB: %v, want the client's ResourceExhausted (else this test proves nothing)", err)
	}

	desc := &grpc.StreamDesc{StreamName: "ExportResultsStream", ServerStreams: true}
	stream, err := cc.NewStream(ctx, desc, adminv1connect.RequestServiceExportResultsStreamProcedure)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.SendMsg(&adminv1.ExportResultsStreamRequest{Id: apitest.SampleID}); err != nil {
		t.Fatal(err)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	var archive []byte
	var filename string
	messages := 0
	for {
		m := new(adminv1.ExportResultsStreamResponse)
		err := stream.RecvMsg(m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("after %d messages: %v", messages, err)
		}
		if messages == 0 {
			filename = m.GetFilename()
		} else if m.GetFilename() != "" {
			t.Errorf("message %d names the file again", messages)
		}
		archive = append(archive, m.GetChunk()...)
		messages++
	}
	if filename != "dsrhost-"+apitest.SampleID+".zip" || messages < 20 {
		t.Errorf("filename %q in %d messages", filename, messages)
	}
	files := unzip(t, archive)
	if !bytes.Equal(files["files/acme-support/big.bin"], content) {
		t.Fatalf("the 20 MiB file did not survive the export (%d bytes)", len(files["files/acme-support/big.bin"]))
	}
	if _, ok := files["manifest.json"]; !ok {
		t.Error("no manifest")
	}
}
