package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/plugins/genericrest/fakevendors"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestCursorInBody: Intercom pages its contact search in the POST body.
// With cursor_body_path every contact is found; with the cursor in the
// query, which Intercom ignores, the repeated cursor is an error rather
// than a short count that would leave contacts undeleted.
func TestCursorInBody(t *testing.T) {
	ic := fakevendors.NewIntercom("tok", 2)
	for i := 1; i <= 5; i++ {
		ic.Add(fakevendors.Record{ID: fmt.Sprintf("c%d", i), Email: "ada@example.com"})
	}
	srv := startServer(t, ic)
	access := func(pagination map[string]any) (*sdk.AccessResponse, error) {
		c, _ := newTestConnector()
		configure(t, c, "ic", map[string]any{"base_url": srv.URL, "auth": map[string]any{"bearer": map[string]any{"token": "tok"}},
			"access": map[string]any{"method": "POST", "path": "/contacts/search", "records_path": "$.data[*]",
				"body":       `{"query": {"field": "email", "operator": "=", "value": "{{ .email }}"}, "pagination": {"per_page": 50}}`,
				"pagination": pagination}})
		return c.Access(context.Background(), &sdk.AccessRequest{Job: job("ic", "", "ada@example.com")})
	}
	resp, err := access(map[string]any{"kind": "cursor", "cursor_path": "$.pages.next.starting_after", "cursor_body_path": "$.pagination.starting_after"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Records) != 5 {
		t.Errorf("found %d contacts over the pages, want 5", len(resp.Records))
	}
	_, err = access(map[string]any{"kind": "cursor", "cursor_path": "$.pages.next.starting_after", "cursor_param": "starting_after"})
	if e := asError(t, err); e.Type != sdk.ErrorInternal || e.Retryable || !strings.Contains(e.Remediation, "cursor_body_path") {
		t.Errorf("cursor in the query: %+v, want a non-retryable error naming cursor_body_path", e)
	}
}

// TestSuccessPath: an API answering 200 with an error in its body fails
// the job; values listed as success, or not listed as failure, pass.
func TestSuccessPath(t *testing.T) {
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, `{"message": %q, "users": [{"id": "u1"}]}`, strings.TrimPrefix(r.URL.Path, "/"))
	}))
	tests := []struct {
		path             string
		success, failure []any
		ok               bool
	}{
		{"/success", []any{"success"}, nil, true},
		{"/queued", []any{"success"}, nil, false},
		{"/queued", nil, []any{"error"}, true},
		{"/error", nil, []any{"error"}, false},
		{"/error", []any{"success"}, []any{"error"}, false},
	}
	for _, tt := range tests {
		c := New()
		configure(t, c, "s", map[string]any{"base_url": srv.URL, "access": map[string]any{
			"path": tt.path, "records_path": "$.users[*]", "success_path": "$.message",
			"success_values": tt.success, "failure_values": tt.failure}})
		_, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("s", "", "ada@example.com")})
		if tt.ok && err != nil {
			t.Errorf("%s %v/%v: %v", tt.path, tt.success, tt.failure, err)
		}
		if !tt.ok {
			if e := asError(t, err); e.Type != sdk.ErrorInternal || e.Retryable || !strings.Contains(e.Message, "success_path") {
				t.Errorf("%s %v/%v: %+v", tt.path, tt.success, tt.failure, e)
			}
		}
	}
}

// refreshServer is an OAuth2 token endpoint for the refresh_token grant
// that rotates the refresh token on every use, and an API that accepts
// only the latest access token.
type refreshServer struct {
	mu      sync.Mutex
	refresh string
	access  string
	n       int
	grants  []string
}

func (s *refreshServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/oauth/token" {
		_ = r.ParseForm()
		s.grants = append(s.grants, r.PostForm.Get("grant_type"))
		id, secret, _ := r.BasicAuth()
		if r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("refresh_token") != s.refresh || id != "cid" || secret != "csecret" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error": "invalid_grant"}`))
			return
		}
		s.n++
		s.refresh, s.access = fmt.Sprintf("rt%d", s.n), fmt.Sprintf("at%d", s.n)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": s.access, "token_type": "Bearer", "expires_in": 3600, "refresh_token": s.refresh})
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.access {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	_, _ = w.Write([]byte(`{"people": [{"id": "p1"}]}`))
}

// TestOAuth2RefreshToken: access tokens come from the refresh_token grant;
// when the API refuses a token early, the connector refreshes with the
// rotated refresh token, not the retired one it was configured with.
func TestOAuth2RefreshToken(t *testing.T) {
	api := &refreshServer{refresh: "rt0"}
	srv := startServer(t, api)
	c := New()
	configure(t, c, "o", map[string]any{"base_url": srv.URL,
		"auth": map[string]any{"oauth2": map[string]any{"token_url": srv.URL + "/oauth/token", "client_id": "cid",
			"client_secret": "csecret", "refresh_token": "rt0"}},
		"access": map[string]any{"path": "/people", "records_path": "$.people[*]"}})
	ctx := context.Background()
	if _, err := c.Access(ctx, &sdk.AccessRequest{Job: job("o", "", "ada@example.com")}); err != nil {
		t.Fatal(err)
	}
	api.mu.Lock()
	api.access = "revoked" // the API drops the token before it expires
	api.mu.Unlock()
	resp, err := c.Access(ctx, &sdk.AccessRequest{Job: job("o", "", "ada@example.com")})
	if err != nil || len(resp.Records) != 1 {
		t.Fatalf("after the token was revoked: %+v, %v", resp, err)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if !slices.Equal(api.grants, []string{"refresh_token", "refresh_token"}) || api.refresh != "rt2" {
		t.Errorf("grants %v, refresh token now %s; want two refresh grants, the second with the rotated token", api.grants, api.refresh)
	}
}

// TestStepAndCursorDiagnostics: Configure reports, at their own settings,
// a step output no earlier step provides, a step reading its own output,
// a body cursor without a body, and a cursor in two places.
func TestStepAndCursorDiagnostics(t *testing.T) {
	step := func(path string, outputs map[string]any) map[string]any {
		return map[string]any{"path": path, "outputs": outputs}
	}
	tests := []struct {
		name   string
		access map[string]any
		path   []string
		want   string
	}{
		{"unknown output", map[string]any{"path": "/a/{{ .outputs.id }}", "records_path": "$",
			"step": []any{step("/lookup", map[string]any{"uid": "$.id"})}},
			[]string{"access", "path"}, `no earlier step provides "id"`},
		{"output read by its own step", map[string]any{"path": "/a", "records_path": "$",
			"step": []any{step("/lookup/{{ .outputs.uid }}", map[string]any{"uid": "$.id"})}},
			[]string{"access", "step", "0", "path"}, "no earlier step provides outputs here"},
		{"later step reads earlier output", map[string]any{"path": "/a/{{ .outputs.tid }}", "records_path": "$",
			"step": []any{step("/lookup", map[string]any{"uid": "$.id"}), step("/t/{{ .outputs.uid | lower }}", map[string]any{"tid": "$.t"})}},
			nil, ""},
		{"body cursor without body", map[string]any{"path": "/a", "records_path": "$", "method": "POST",
			"pagination": map[string]any{"kind": "cursor", "cursor_path": "$.next", "cursor_body_path": "$.after"}},
			[]string{"access", "pagination", "cursor_body_path"}, "add a JSON body"},
		{"cursor in two places", map[string]any{"path": "/a", "records_path": "$", "body": "{}",
			"pagination": map[string]any{"kind": "cursor", "cursor_path": "$.next", "cursor_body_path": "$.after", "cursor_param": "after"}},
			[]string{"access", "pagination", "cursor_body_path"}, "not both"},
		{"success values without path", map[string]any{"path": "/a", "records_path": "$", "success_values": []any{"ok"}},
			[]string{"access", "success_path"}, "need success_path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := validate(t, map[string]any{"base_url": "https://api.example.com", "access": tt.access})
			if tt.path == nil {
				if len(resp.Diagnostics) > 0 {
					t.Fatalf("diagnostics: %+v", resp.Diagnostics)
				}
				return
			}
			i := slices.IndexFunc(resp.Diagnostics, func(d sdk.Diagnostic) bool { return slices.Equal(d.Path, tt.path) })
			if i < 0 || !strings.Contains(resp.Diagnostics[i].Detail, tt.want) {
				t.Fatalf("want %q at %v, got %+v", tt.want, tt.path, resp.Diagnostics)
			}
		})
	}
}

// TestOutageMidDeletion: the vendor fails in the middle of a per-record
// deletion; the job fails as unavailable (retryable) without counting what
// it could not delete, and the retry deletes the rest: nobody is left and
// the count covers every contact.
func TestOutageMidDeletion(t *testing.T) {
	ic := fakevendors.NewIntercom("tok", 50)
	for i := 1; i <= 4; i++ {
		ic.Add(fakevendors.Record{ID: fmt.Sprintf("c%d", i), Email: "ada@example.com"})
	}
	srv := startServer(t, ic)
	c, _ := newTestConnector()
	s := entrySettings(t, "intercom")
	s["secrets"] = map[string]any{"access_token": "tok"}
	s["base_url"] = srv.URL
	configure(t, c, "intercom", s)
	ctx := context.Background()
	found, err := c.Access(ctx, &sdk.AccessRequest{Job: job("intercom", "a", "ada@example.com")})
	if err != nil || len(found.Records) != 4 {
		t.Fatalf("access: %+v, %v", found, err)
	}
	ic.FailAfter(3) // a 429, then two deletions, then the outage
	_, err = c.Delete(ctx, &sdk.DeleteRequest{Job: job("intercom", "d1", "ada@example.com"), Records: found.Records})
	if e := asError(t, err); e.Type != sdk.ErrorUnavailable || !e.Retryable {
		t.Fatalf("during the outage: %+v, want a retryable unavailable error", e)
	}
	if left := ic.Remaining("ada@example.com"); len(left) != 2 {
		t.Fatalf("after the outage %v are left, want the two not yet deleted", left)
	}
	ic.FailAfter(-1)
	del, err := c.Delete(ctx, &sdk.DeleteRequest{Job: job("intercom", "d2", "ada@example.com"), Records: found.Records})
	if err != nil {
		t.Fatal(err)
	}
	if del.RecordsDeleted != 4 || len(ic.Remaining("ada@example.com")) != 0 {
		t.Errorf("retry deleted %d, left %v; want all four counted and none left", del.RecordsDeleted, ic.Remaining("ada@example.com"))
	}
}
