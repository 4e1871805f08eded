package connector

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/plugins/genericrest/fakevendors"
	"github.com/dsrhost/dsrhost/sdk"
)

// accountsAPI answers a lookup by email with the subject's accounts and each
// account's tickets; it records the paths asked for.
type accountsAPI struct {
	mu       sync.Mutex
	paths    []string
	accounts map[string][]string // email -> account ids
}

func (a *accountsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.paths = append(a.paths, r.Method+" "+r.URL.Path)
	a.mu.Unlock()
	switch {
	case r.URL.Path == "/lookup":
		var out []map[string]any
		for _, id := range a.accounts[r.URL.Query().Get("email")] {
			out = append(out, map[string]any{"id": id})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"accounts": out})
	case strings.HasPrefix(r.URL.Path, "/accounts/"):
		id := strings.Split(r.URL.Path, "/")[2]
		_ = json.NewEncoder(w).Encode(map[string]any{"tickets": []any{
			map[string]any{"id": id + "-t1", "account_id": id}, map[string]any{"id": id + "-t2", "account_id": id}}})
	default:
		http.NotFound(w, r)
	}
}

func (a *accountsAPI) asked() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.paths)
}

// TestAccessSteps: a step's outputs feed the access request, which is sent
// once per value found; a step that finds nothing sends nothing more.
func TestAccessSteps(t *testing.T) {
	api := &accountsAPI{accounts: map[string][]string{"ada@example.com": {"a1", "a2"}}}
	srv := startServer(t, api)
	c := New()
	configure(t, c, "acc", map[string]any{"base_url": srv.URL, "access": map[string]any{
		"step": []any{map[string]any{"path": "/lookup", "query": map[string]any{"email": "{{ .email }}"},
			"outputs": map[string]any{"account": "$.accounts[*].id"}}},
		"path": "/accounts/{{ .outputs.account }}/tickets", "records_path": "$.tickets[*]",
		"identifiers": map[string]any{"account_id": "$.account_id"},
	}})
	resp, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("acc", "k1", "ada@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range resp.Records {
		ids = append(ids, r.ID)
	}
	if want := []string{"a1-t1", "a1-t2", "a2-t1", "a2-t2"}; !slices.Equal(ids, want) {
		t.Errorf("records %v, want %v", ids, want)
	}
	if got := sdk.IdentifierValues(resp.Identifiers["account_id"]); !slices.Equal(got, []string{"a1", "a2"}) {
		t.Errorf("identifiers %v, want both accounts", got)
	}
	if want := []string{"GET /lookup", "GET /accounts/a1/tickets", "GET /accounts/a2/tickets"}; !slices.Equal(api.asked(), want) {
		t.Errorf("requests %v, want %v", api.asked(), want)
	}

	resp, err = c.Access(context.Background(), &sdk.AccessRequest{Job: job("acc", "k2", "nobody@example.com")})
	if err != nil || len(resp.Records) != 0 {
		t.Fatalf("no accounts: %+v, %v", resp, err)
	}
	if n := len(api.asked()); n != 4 {
		t.Errorf("%d requests after a lookup that found nothing, want just the lookup", n-3)
	}
}

// TestZendeskTwoStepDeletion: each user goes through both deletion steps;
// a 429 on the second step is waited out, not left soft-deleted; a retry
// after a failure between the steps finds step one done (404) and
// finishes step two.
func TestZendeskTwoStepDeletion(t *testing.T) {
	z := fakevendors.NewZendesk("admin@acme.example", "tok", 2)
	for _, id := range []string{"11", "12", "13"} {
		z.Add(fakevendors.Record{ID: id, Email: "ada@example.com"})
	}
	srv := startServer(t, z)
	c, sl := newTestConnector()
	s := entrySettings(t, "zendesk")
	s["values"] = map[string]any{"subdomain": "acme", "email": "admin@acme.example"}
	s["secrets"] = map[string]any{"api_token": "tok"}
	s["base_url"] = srv.URL + "/api/v2"
	configure(t, c, "zendesk", s)
	ctx := context.Background()
	j := job("zendesk", "k1", "ada@example.com")
	found, err := c.Access(ctx, &sdk.AccessRequest{Job: j})
	if err != nil || len(found.Records) != 3 {
		t.Fatalf("access: %+v, %v", found, err)
	}
	// User 11 was soft-deleted by an attempt that failed before step two.
	// (The fake answers each route's first call 429.)
	for status := http.StatusTooManyRequests; status == http.StatusTooManyRequests; {
		req := httpRequest(t, http.MethodDelete, srv.URL+"/api/v2/users/11")
		req.SetBasicAuth("admin@acme.example/token", "tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		status = resp.StatusCode
		if status != http.StatusOK && status != http.StatusTooManyRequests {
			t.Fatalf("soft-delete user 11 first: %d", status)
		}
	}
	del, err := c.Delete(ctx, &sdk.DeleteRequest{Job: j, Records: found.Records})
	if err != nil {
		t.Fatal(err)
	}
	if del.RecordsDeleted != 3 {
		t.Errorf("deleted %d, want 3", del.RecordsDeleted)
	}
	for _, id := range []string{"11", "12", "13"} {
		if !z.Purged(id) {
			t.Errorf("user %s not purged", id)
		}
	}
	if len(sl.waits()) == 0 {
		t.Error("no 429 was waited out")
	}
}

func httpRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestMultiValuedIdentifierFansOut: an identifier passed on with several
// values (three Zendesk users for one email) sends a whole-record deletion
// once per value, not for the first only.
func TestMultiValuedIdentifierFansOut(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.Path)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	c := New()
	configure(t, c, "fan", map[string]any{"base_url": srv.URL,
		"deletion": map[string]any{"mode": "whole_record", "path": "/users/{{ .zendesk_user_id }}/tickets"}})
	j := job("fan", "k", "ada@example.com")
	j.Subject.Identifiers = map[string]string{"zendesk_user_id": sdk.JoinIdentifierValues([]string{"11", "12", "13"})}
	if _, err := c.Delete(context.Background(), &sdk.DeleteRequest{Job: j}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"/users/11/tickets", "/users/12/tickets", "/users/13/tickets"}; !slices.Equal(got, want) {
		t.Errorf("requests %v, want %v", got, want)
	}
}
