package fakeheap_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/plugins/heap/fakeheap"
)

const (
	appID      = "1234"
	apiKey     = "secret-key"
	stagingApp = "5678"
)

var start = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func serve(t *testing.T, cfg fakeheap.Config) (*fakeheap.Server, string) {
	t.Helper()
	cfg.AppID, cfg.APIKey = appID, apiKey
	cfg.NonProductionAppIDs = []string{stagingApp}
	cfg.Clock = func() time.Time { return start }
	f := fakeheap.New(cfg)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

type answer struct {
	status int
	header http.Header
	body   map[string]string
}

func do(t *testing.T, method, url string, header map[string]string, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

func token(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+fakeheap.PathAuthToken, nil)
	req.SetBasicAuth(appID, apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&a) != nil || a.AccessToken == "" {
		t.Fatalf("auth_token: status %d, no token", resp.StatusCode)
	}
	return a.AccessToken
}

func bearer(tok string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
}

func TestAuthToken(t *testing.T) {
	tests := []struct {
		name       string
		user, pass string
		noAuth     bool
		wantStatus int
		wantErr    string
	}{
		{name: "production app id and key", user: appID, pass: apiKey, wantStatus: 200},
		{name: "wrong key", user: appID, pass: "nope", wantStatus: 401, wantErr: "Unauthorized"},
		{name: "unknown app id", user: "999", pass: apiKey, wantStatus: 401, wantErr: "Unauthorized"},
		{name: "non-production app id", user: stagingApp, pass: apiKey, wantStatus: 401, wantErr: fakeheap.NonProductionMessage},
		{name: "non-production app id, wrong key", user: stagingApp, pass: "nope", wantStatus: 401, wantErr: "Unauthorized"},
		{name: "no basic auth", noAuth: true, wantStatus: 401, wantErr: "Unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, base := serve(t, fakeheap.Config{})
			req, _ := http.NewRequest(http.MethodPost, base+fakeheap.PathAuthToken, nil)
			if !tt.noAuth {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]string
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tt.wantStatus || body["err"] != tt.wantErr {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body["err"], tt.wantStatus, tt.wantErr)
			}
			if (tt.wantStatus == 200) != (body["access_token"] != "") {
				t.Fatalf("access_token present = %v on status %d", body["access_token"] != "", resp.StatusCode)
			}
			if got, want := f.TokensIssued(), map[bool]int{true: 1, false: 0}[tt.wantStatus == 200]; got != want {
				t.Fatalf("TokensIssued = %d, want %d", got, want)
			}
		})
	}
}

func TestAuthTokenWrongMethod(t *testing.T) {
	_, base := serve(t, fakeheap.Config{})
	if a := do(t, http.MethodGet, base+fakeheap.PathAuthToken, nil, ""); a.status != http.StatusMethodNotAllowed {
		t.Fatalf("GET auth_token: status %d, want 405", a.status)
	}
}

func TestBearerChecks(t *testing.T) {
	f, base := serve(t, fakeheap.Config{TokenTTL: 5 * time.Minute})
	tok := token(t, base)
	body := `{"users":[{"identity":"x"}]}`
	tests := []struct {
		name    string
		header  map[string]string
		advance time.Duration
		want    int
	}{
		{name: "no authorization", header: map[string]string{"Content-Type": "application/json"}, want: 401},
		{name: "basic instead of bearer", header: map[string]string{"Authorization": "Basic " + tok, "Content-Type": "application/json"}, want: 401},
		{name: "unknown token", header: bearer("forged"), want: 401},
		{name: "live token", header: bearer(tok), want: 200},
		{name: "token just before expiry", header: bearer(tok), advance: 5*time.Minute - time.Second, want: 200},
		{name: "expired token", header: bearer(tok), advance: time.Second, want: 401},
	}
	for _, tt := range tests {
		f.Advance(tt.advance)
		if a := do(t, http.MethodPost, base+fakeheap.PathUserDeletion, tt.header, body); a.status != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, a.status, tt.want)
		}
	}
	if got := len(f.Deletions()); got != 2 {
		t.Fatalf("accepted %d deletions, want 2", got)
	}
}

func users(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"identity":"user-%d"}`, i)
	}
	return `{"users":[` + strings.Join(parts, ",") + `]}`
}

func TestUserDeletionBodyShape(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        int
		wantUsers   []fakeheap.User
	}{
		{name: "identity", body: `{"users":[{"identity":"a"}]}`, want: 200, wantUsers: []fakeheap.User{{Identity: "a"}}},
		{name: "user_id string and identity", body: `{"users":[{"user_id":"42"},{"identity":"a"}]}`, want: 200,
			wantUsers: []fakeheap.User{{UserID: "42"}, {Identity: "a"}}},
		{name: "user_id number", body: `{"users":[{"user_id":42}]}`, want: 200, wantUsers: []fakeheap.User{{UserID: "42"}}},
		{name: "content type with charset", contentType: "Application/JSON; charset=utf-8", body: `{"users":[{"identity":"a"}]}`, want: 200,
			wantUsers: []fakeheap.User{{Identity: "a"}}},
		{name: "exactly 10,000 users", body: users(fakeheap.MaxUsers), want: 200},
		{name: "10,001 users", body: users(fakeheap.MaxUsers + 1), want: 400},
		{name: "two keys in one user", body: `{"users":[{"identity":"a","user_id":"1"}]}`, want: 400},
		{name: "no key in a user", body: `{"users":[{}]}`, want: 400},
		{name: "unknown key", body: `{"users":[{"email":"a"}]}`, want: 400},
		{name: "empty identity", body: `{"users":[{"identity":""}]}`, want: 400},
		{name: "identity not a string", body: `{"users":[{"identity":7}]}`, want: 400},
		{name: "empty users", body: `{"users":[]}`, want: 400},
		{name: "no users", body: `{}`, want: 400},
		{name: "unknown top-level field", body: `{"users":[{"identity":"a"}],"force":true}`, want: 400},
		{name: "trailing data", body: `{"users":[{"identity":"a"}]} {}`, want: 400},
		{name: "not JSON", body: `users=a`, want: 400},
		{name: "not JSON content type", contentType: "text/plain", body: `{"users":[{"identity":"a"}]}`, want: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, base := serve(t, fakeheap.Config{})
			h := bearer(token(t, base))
			if tt.contentType != "" {
				h["Content-Type"] = tt.contentType
			}
			a := do(t, http.MethodPost, base+fakeheap.PathUserDeletion, h, tt.body)
			if a.status != tt.want {
				t.Fatalf("status %d (%s), want %d", a.status, a.body["err"], tt.want)
			}
			got := f.Deletions()
			if tt.want != 200 {
				if len(got) != 0 || a.body["err"] == "" {
					t.Fatalf("refused body: %d deletions recorded, err %q", len(got), a.body["err"])
				}
				return
			}
			if len(got) != 1 || a.body["deletion_request_id"] != got[0].ID || a.body["status"] != "pending" {
				t.Fatalf("answer %v, deletions %v", a.body, got)
			}
			if tt.wantUsers != nil && fmt.Sprint(got[0].Users) != fmt.Sprint(tt.wantUsers) {
				t.Fatalf("users %v, want %v", got[0].Users, tt.wantUsers)
			}
		})
	}
}

func TestDeletionStatusProgression(t *testing.T) {
	f, base := serve(t, fakeheap.Config{PendingPolls: 2})
	h := bearer(token(t, base))
	a := do(t, http.MethodPost, base+fakeheap.PathUserDeletion, h, `{"users":[{"identity":"a"}]}`)
	id := a.body["deletion_request_id"]
	var got []string
	for range 4 {
		a := do(t, http.MethodGet, base+fakeheap.PathDeletionStatus+id, h, "")
		if a.status != 200 || a.body["deletion_request_id"] != id {
			t.Fatalf("deletion_status: %d %v", a.status, a.body)
		}
		got = append(got, a.body["status"])
	}
	if want := "[pending pending complete complete]"; fmt.Sprint(got) != want {
		t.Fatalf("statuses %v, want %s", got, want)
	}
	if polls := f.Deletions()[0].Polls; polls != 4 {
		t.Fatalf("Polls = %d, want 4", polls)
	}
	if a := do(t, http.MethodGet, base+fakeheap.PathDeletionStatus+"unknown", h, ""); a.status != 404 {
		t.Fatalf("unknown id: status %d, want 404", a.status)
	}
	if a := do(t, http.MethodGet, base+fakeheap.PathDeletionStatus+id, nil, ""); a.status != 401 {
		t.Fatalf("no token: status %d, want 401", a.status)
	}
}

func TestLeakyBucket(t *testing.T) {
	f, base := serve(t, fakeheap.Config{BucketSize: 2, LeakInterval: 3 * time.Second})
	h := bearer(token(t, base)) // pours the first unit
	body := `{"users":[{"identity":"a"}]}`
	if a := do(t, http.MethodPost, base+fakeheap.PathUserDeletion, h, body); a.status != 200 {
		t.Fatalf("second request: status %d, want 200", a.status)
	}
	a := do(t, http.MethodPost, base+fakeheap.PathUserDeletion, h, body)
	if a.status != 429 || a.header.Get("Retry-After") != "3" {
		t.Fatalf("third request: status %d Retry-After %q, want 429 and 3", a.status, a.header.Get("Retry-After"))
	}
	f.Advance(3 * time.Second)
	if a := do(t, http.MethodPost, base+fakeheap.PathUserDeletion, h, body); a.status != 200 {
		t.Fatalf("after Retry-After: status %d, want 200", a.status)
	}
	if got := len(f.Deletions()); got != 2 {
		t.Fatalf("accepted %d deletions, want 2", got)
	}
	if got := f.Calls(fakeheap.EndpointUserDeletion); got != 3 {
		t.Fatalf("Calls(user_deletion) = %d, want 3", got)
	}
}

func TestFaultsAnswerOnceInOrder(t *testing.T) {
	f, base := serve(t, fakeheap.Config{})
	f.Fail(fakeheap.EndpointAuthToken,
		fakeheap.Fault{Status: 503, Body: `{"err":"down"}`},
		fakeheap.Fault{Status: 200, Body: `{not json`, Header: http.Header{"X-Test": {"1"}}})
	if a := do(t, http.MethodPost, base+fakeheap.PathAuthToken, nil, ""); a.status != 503 || a.body["err"] != "down" {
		t.Fatalf("first fault: %d %v", a.status, a.body)
	}
	if a := do(t, http.MethodPost, base+fakeheap.PathAuthToken, nil, ""); a.status != 200 || a.body != nil || a.header.Get("X-Test") != "1" {
		t.Fatalf("second fault: %d %v", a.status, a.body)
	}
	token(t, base) // faults used up: the real answer again
}
