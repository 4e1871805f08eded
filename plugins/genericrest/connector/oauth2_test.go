package connector

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/examples/genericrest/demoapi"
	"github.com/dsrhost/dsrhost/sdk"
	"golang.org/x/time/rate"
)

const peopleExample = "../../../examples/genericrest/oauth2-people.hcl"

// startPeople serves the OAuth2 API holding five people for ada (three
// offset pages of two) and configures the oauth2-people.hcl example.
func startPeople(t *testing.T, api *demoapi.People) (*Connector, *sleeps, []int64) {
	t.Helper()
	var ids []int64
	for i := range 5 {
		ids = append(ids, api.Add("ada@example.com", "Ada "+strconv.Itoa(i)))
	}
	api.Add("grace@example.com", "Grace")
	srv := startServer(t, api)
	settings := exampleSettings(t, peopleExample)
	rebase(t, settings, srv)
	c, s := newTestConnector()
	configure(t, c, "demo-people", settings)
	return c, s, ids
}

func newPeople() *demoapi.People {
	return demoapi.NewPeople("dsrhost", testEnv["DEMO_PEOPLE_CLIENT_SECRET"], "people.read", "people.erase")
}

func TestOAuth2BurstsOf429(t *testing.T) {
	api := newPeople()
	// Two of every three calls answer 429 with Retry-After: 2.
	api.BurstEvery, api.BurstLength, api.RetryAfter = 3, 2, 2
	c, s, ids := startPeople(t, api)

	resp, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("demo-people", "k", "ada@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range resp.Records {
		var p struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(r.Data, &p); err != nil {
			t.Fatal(err)
		}
		if r.ID != strconv.FormatInt(p.ID, 10) {
			t.Errorf("record id %q, data id %d", r.ID, p.ID)
		}
		got = append(got, p.ID)
	}
	// Ids above 2^53 come through exactly.
	if !slices.Equal(got, ids) {
		t.Errorf("ids = %v, want %v", got, ids)
	}
	// Every person's id is passed on, not the first's only.
	var wantIDs []string
	for _, id := range ids {
		wantIDs = append(wantIDs, strconv.FormatInt(id, 10))
	}
	if got := sdk.IdentifierValues(resp.Identifiers["people_id"]); !slices.Equal(got, wantIDs) {
		t.Errorf("identifiers = %v, want %v", got, wantIDs)
	}
	waits := s.waits()
	if len(waits) == 0 || len(waits) != api.Throttled() {
		t.Fatalf("waited %d times for %d 429 answers", len(waits), api.Throttled())
	}
	for _, w := range waits {
		if w != 2*time.Second {
			t.Errorf("waited %v, want the Retry-After of 2s", w)
		}
	}
	if n := api.TokensIssued(); n != 1 {
		t.Errorf("tokens issued = %d, want 1 (fetched by Configure, then reused)", n)
	}
}

func TestOAuth2RetryAfterTooLong(t *testing.T) {
	api := newPeople()
	api.BurstEvery, api.BurstLength, api.RetryAfter = 1, 1, 120 // always 429, come back in two minutes
	c, s, _ := startPeople(t, api)
	_, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("demo-people", "k", "ada@example.com")})
	e := asError(t, err)
	if e.Type != sdk.ErrorRateLimited || e.StatusCode != 429 || e.RetryAfter != 2*time.Minute || !e.Retryable {
		t.Errorf("error = %+v, want rate_limited 429 retrying after 2m", e)
	}
	if e.Remediation == "" || !containsAll(e.Message+e.Remediation, "GET /people") {
		t.Errorf("error %q / %q does not name the endpoint", e.Message, e.Remediation)
	}
	if w := s.waits(); len(w) != 0 {
		t.Errorf("waited %v for a Retry-After beyond max_retry_wait", w)
	}
}

func TestOAuth2WholeRecordDeletion(t *testing.T) {
	api := newPeople()
	c, _, _ := startPeople(t, api)
	resp, err := c.Delete(context.Background(), &sdk.DeleteRequest{Job: job("demo-people", "k", "ada@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.WholeRecord || resp.Pending != nil {
		t.Errorf("Delete = %+v, want whole record", resp)
	}
	if api.Count("ada@example.com") != 0 || api.Count("grace@example.com") != 1 {
		t.Error("the erasure did not remove exactly the subject")
	}
}

func TestOAuth2TokenRefreshedAfter401(t *testing.T) {
	api := newPeople()
	c, _, _ := startPeople(t, api)
	api.RevokeTokens()
	if _, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("demo-people", "k", "ada@example.com")}); err != nil {
		t.Fatal(err)
	}
	if n := api.TokensIssued(); n != 2 {
		t.Errorf("tokens issued = %d, want 2", n)
	}
}

func TestOAuth2ConfigureChecksCredentials(t *testing.T) {
	tests := []struct {
		name     string
		api      *demoapi.People
		wantPath []string
		wantType sdk.ErrorType
		wantCode int
	}{
		{"wrong secret", demoapi.NewPeople("dsrhost", "another-secret", "people.read", "people.erase"),
			[]string{"auth", "oauth2"}, sdk.ErrorAuth, 401},
		{"scope not granted", demoapi.NewPeople("dsrhost", testEnv["DEMO_PEOPLE_CLIENT_SECRET"], "people.read"),
			[]string{"auth", "oauth2", "scopes"}, sdk.ErrorPermission, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, tt.api)
			settings := exampleSettings(t, peopleExample)
			rebase(t, settings, srv)
			resp, err := New().Configure(context.Background(), &sdk.ConfigureRequest{Integration: "p", Settings: mustJSON(t, settings)})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Diagnostics) != 1 {
				t.Fatalf("diagnostics = %+v", resp.Diagnostics)
			}
			d := resp.Diagnostics[0]
			if d.Severity != sdk.SeverityError || !slices.Equal(d.Path, tt.wantPath) || d.Err == nil ||
				d.Err.Type != tt.wantType || d.Err.StatusCode != tt.wantCode {
				t.Errorf("diagnostic = %+v (err %+v)", d, d.Err)
			}
			if containsAll(d.Summary+d.Detail+d.Err.Message+d.Err.Remediation, testEnv["DEMO_PEOPLE_CLIENT_SECRET"]) {
				t.Error("the diagnostic carries the client secret")
			}
		})
	}
}

func TestRateLimitSetting(t *testing.T) {
	api := newPeople()
	c, _, _ := startPeople(t, api)
	in, err := c.integration("demo-people")
	if err != nil {
		t.Fatal(err)
	}
	if in.limiter == nil || in.limiter.Limit() != rate.Limit(5) || in.limiter.Burst() != 5 {
		t.Errorf("limiter = %+v, want 5 per second, bursts of 5", in.limiter)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
