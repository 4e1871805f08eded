package connector

import (
	"context"
	"net/http"
	"testing"

	"github.com/dsrhost/dsrhost/sdk"
)

// authServer answers GET /items with one record when check accepts the
// request and 401 otherwise; /token issues OAuth2 tokens to id:secret.
func authServer(t *testing.T, check func(*http.Request) bool) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if err := r.ParseForm(); err != nil || !ok || id != "id" || secret != "secret" ||
			r.PostForm.Get("audience") != "api" || r.PostForm.Get("scope") != "read" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error": "invalid_client"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token": "issued-token", "token_type": "Bearer", "expires_in": 3600}`))
	})
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) {
		if !check(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"data": [{"id": 1}]}`))
	})
	return startServer(t, mux).URL
}

func TestAuthKinds(t *testing.T) {
	tests := []struct {
		name  string
		auth  func(base string, right bool) map[string]any
		check func(*http.Request) bool
	}{
		{"bearer",
			func(_ string, right bool) map[string]any {
				return map[string]any{"bearer": map[string]any{"token": pick(right, "tok", "nope")}}
			},
			func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer tok" }},
		{"basic",
			func(_ string, right bool) map[string]any {
				return map[string]any{"basic": map[string]any{"username": "u", "password": pick(right, "p", "nope")}}
			},
			func(r *http.Request) bool { u, p, ok := r.BasicAuth(); return ok && u == "u" && p == "p" }},
		{"header",
			func(_ string, right bool) map[string]any {
				return map[string]any{"header": map[string]any{"name": "X-Api-Key", "value": pick(right, "key", "nope")}}
			},
			func(r *http.Request) bool { return r.Header.Get("X-Api-Key") == "key" }},
		{"query",
			func(_ string, right bool) map[string]any {
				return map[string]any{"query": map[string]any{"name": "api_key", "value": pick(right, "key", "nope")}}
			},
			func(r *http.Request) bool {
				return r.URL.Query()["api_key"] != nil && r.URL.Query().Get("api_key") == "key"
			}},
		{"oauth2",
			func(base string, right bool) map[string]any {
				return map[string]any{"oauth2": map[string]any{"token_url": base + "/token", "client_id": "id",
					"client_secret": pick(right, "secret", "nope"), "scopes": []string{"read"},
					"token_params": map[string]string{"audience": "api"}}}
			},
			func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer issued-token" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := authServer(t, tt.check)
			settings := func(right bool) map[string]any {
				return map[string]any{
					"base_url": base, "auth": tt.auth(base, right),
					"access": map[string]any{"path": "/items", "records_path": "$.data[*]"},
				}
			}
			c := New()
			configure(t, c, "good", settings(true))
			resp, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("good", "k", "ada@example.com")})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Records) != 1 || resp.Records[0].ID != "1" {
				t.Errorf("records = %+v", resp.Records)
			}

			// Wrong credentials: an auth error with remediation. OAuth2
			// client credentials are checked by Configure, which fetches a
			// token; the others surface on the first call.
			bad := New()
			cr, err := bad.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "bad", Settings: mustJSON(t, settings(false))})
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "oauth2" {
				if len(cr.Diagnostics) != 1 || cr.Diagnostics[0].Err == nil {
					t.Fatalf("Configure = %+v, want the refused credentials", cr.Diagnostics)
				}
				err = cr.Diagnostics[0].Err
			} else {
				if cr.HasErrors() {
					t.Fatalf("Configure = %+v", cr.Diagnostics)
				}
				_, err = bad.Access(context.Background(), &sdk.AccessRequest{Job: job("bad", "k", "ada@example.com")})
			}
			e := asError(t, err)
			if e.Type != sdk.ErrorAuth || e.StatusCode != http.StatusUnauthorized || e.Remediation == "" {
				t.Errorf("error = %+v, want auth 401 with remediation", e)
			}
			assertNoPersonalData(t, e, "nope")
		})
	}
}

func pick(right bool, good, bad string) string {
	if right {
		return good
	}
	return bad
}
