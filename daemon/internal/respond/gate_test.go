package respond_test

import (
	"bytes"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/dsrhost/dsrhost/daemon/internal/respond/linktoken"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestForgedTokenCostsNothing submits a 40 MiB answer with a forged link
// token over Connect (binary and JSON) and gRPC: each must be refused as
// permission_denied, and the server must not read or decode the upload
// (measured as bytes allocated in this process while the call runs: the
// request body was built before). A genuine link still accepts its answer.
func TestForgedTokenCostsNothing(t *testing.T) {
	w := newWorld(t)
	e := w.env(t, envOptions{})
	id := e.request(sdk.RequestAccess)
	_, genuine, _ := strings.Cut(e.link(id), linktoken.Path)
	forged := genuine[:len(genuine)-4] + "AAAA"
	if forged == genuine {
		forged = genuine[:len(genuine)-4] + "BBBB"
	}
	const upload = 40 << 20
	msg := func(token string) *adminv1.SubmitResponseRequest {
		return &adminv1.SubmitResponseRequest{Token: token, Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED,
			Files: []*adminv1.UploadedFile{{Name: "dump.bin", ContentType: "application/octet-stream", Content: make([]byte, upload)}}}
	}
	protoBody, err := proto.Marshal(msg(forged))
	if err != nil {
		t.Fatal(err)
	}
	grpcBody := append([]byte{0, byte(len(protoBody) >> 24), byte(len(protoBody) >> 16), byte(len(protoBody) >> 8), byte(len(protoBody))}, protoBody...)
	jsonBody := []byte(`{"token":"` + forged + `","answer":"DIRECT_CONTACT_ANSWER_FILES_UPLOADED","files":[{"name":"a","content":"` +
		strings.Repeat("A", upload/3*4) + `"}]}`)
	url := e.srv.URL + adminv1connect.DirectContactServiceSubmitResponseProcedure
	for _, tc := range []struct {
		name, contentType string
		body              []byte
		// refused tells the refusal apart in each protocol's answer.
		refused func(*http.Response) bool
	}{
		{"connect proto", "application/proto", protoBody, func(r *http.Response) bool { return r.StatusCode == http.StatusForbidden }},
		{"connect json", "application/json", jsonBody, func(r *http.Response) bool { return r.StatusCode == http.StatusForbidden }},
		{"grpc-web", "application/grpc-web+proto", grpcBody, func(r *http.Response) bool {
			return r.Header.Get("Grpc-Status") == "7" || r.StatusCode == http.StatusOK
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			body := new(bytes.Buffer)
			_, _ = body.ReadFrom(res.Body)
			_ = res.Body.Close()
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %d-byte body refused with %d after %d KiB allocated", tc.name, len(tc.body), res.StatusCode, allocated>>10)
			if !tc.refused(res) || !strings.Contains(body.String()+res.Header.Get("Grpc-Message")+res.Trailer.Get("Grpc-Message"), "link") {
				t.Errorf("status %d, headers %v, body %.300s: want a refused link", res.StatusCode, res.Header, body.String())
			}
			if allocated > 4<<20 {
				t.Errorf("a forged token cost %d MiB of allocations; the upload was read", allocated>>20)
			}
		})
	}

	client := adminv1connect.NewDirectContactServiceClient(http.DefaultClient, e.srv.URL)
	small := msg(genuine)
	small.Files[0].Content = []byte("a,b\n")
	if _, err := client.SubmitResponse(t.Context(), connect.NewRequest(small)); err != nil {
		t.Fatalf("genuine link refused: %v", err)
	}
}
