package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// TestStrictJSON posts JSON as curl or a browser would and checks that a
// misspelt field or an unknown enum name is refused as invalid_argument
// naming it, before the engine sees the call, while the same body spelt
// right is accepted.
func TestStrictJSON(t *testing.T) {
	const good = `{"type":"REQUEST_TYPE_ACCESS","subject":{"email":"subject@example.com"},"details":"x"}`
	tests := []struct {
		name      string
		procedure string
		body      string
		// want is "" for an accepted call, else what the message must name.
		want string
	}{
		{"create spelt right", adminv1connect.RequestServiceCreateRequestProcedure, good, ""},
		{"create with a misspelt field", adminv1connect.RequestServiceCreateRequestProcedure,
			`{"type":"REQUEST_TYPE_ACCESS","subject":{"email":"subject@example.com"},"detials":"x"}`, "detials"},
		{"create with a misspelt nested field", adminv1connect.RequestServiceCreateRequestProcedure,
			`{"type":"REQUEST_TYPE_ACCESS","subject":{"email":"subject@example.com","phon":"1"}}`, "phon"},
		{"create with an unknown type name", adminv1connect.RequestServiceCreateRequestProcedure,
			`{"type":"REQUEST_TYPE_ACCES","subject":{"email":"subject@example.com"}}`, "REQUEST_TYPE_ACCES"},
		{"list with an unknown stage name", adminv1connect.RequestServiceListRequestsProcedure,
			`{"stage":"STAGE_BOGUS"}`, "STAGE_BOGUS"},
		{"list with a malformed page token", adminv1connect.RequestServiceListRequestsProcedure,
			`{"pageToken":"garbage"}`, "page_token"},
		{"submit with an unknown field", adminv1connect.DirectContactServiceSubmitResponseProcedure,
			`{"token":"t","answer":"DIRECT_CONTACT_ANSWER_DELETED","notes":"x"}`, "notes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := &apitest.FakeEngine{}
			srv := apitest.Start(t, api.Options{Engine: fe})
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+tt.procedure, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+apitest.AdminToken)
			res, err := apitest.HTTP1Client(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if tt.want == "" {
				if res.StatusCode != http.StatusOK {
					t.Fatalf("status %d, body %s; want 200", res.StatusCode, body)
				}
				return
			}
			var e struct{ Code, Message string }
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("status %d, body %s: %v", res.StatusCode, body, err)
			}
			if res.StatusCode != http.StatusBadRequest || e.Code != "invalid_argument" || !strings.Contains(e.Message, tt.want) {
				t.Fatalf("status %d, %s: %q; want 400 invalid_argument naming %q", res.StatusCode, e.Code, e.Message, tt.want)
			}
			if calls := fe.Calls(); len(calls) != 0 {
				t.Errorf("a refused call reached the engine: %v", calls)
			}
		})
	}
}
