package connector

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/examples/genericrest/demoapi"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/google/go-cmp/cmp"
)

const crmExample = "../../../examples/genericrest/crm.hcl"

// startCRM serves a CRM holding five contacts for ada (more than fit on one
// page) and one for someone else, and configures the crm.hcl example
// against it.
func startCRM(t *testing.T, pageSize int) (*Connector, *demoapi.CRM, []string) {
	t.Helper()
	crm := demoapi.NewCRM(testEnv["DEMO_CRM_TOKEN"], pageSize)
	var ids []string
	for _, name := range []string{"Ada", "Ada L.", "A. Lovelace", "Ada Byron", "Countess"} {
		ids = append(ids, crm.Add("ada@example.com", name))
	}
	crm.Add("grace@example.com", "Grace")
	srv := startServer(t, crm)
	settings := exampleSettings(t, crmExample)
	rebase(t, settings, srv)
	c, _ := newTestConnector()
	configure(t, c, "demo-crm", settings)
	return c, crm, ids
}

func TestCRMAccessFollowsCursorPages(t *testing.T) {
	c, crm, ids := startCRM(t, 2)
	resp, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("demo-crm", "k1", "ada@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Pending != nil {
		t.Fatalf("a synchronous API answered Pending: %+v", resp.Pending)
	}
	var got []string
	for _, r := range resp.Records {
		if r.Kind != "contact" {
			t.Errorf("record kind = %q, want contact", r.Kind)
		}
		var data struct{ ID, Email string }
		if err := json.Unmarshal(r.Data, &data); err != nil {
			t.Fatal(err)
		}
		if data.ID != r.ID || data.Email != "ada@example.com" {
			t.Errorf("record %q holds %+v", r.ID, data)
		}
		got = append(got, r.ID)
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("record ids (-want +got):\n%s", diff)
	}
	if crm.Lookups() != 3 {
		t.Errorf("pages fetched = %d, want 3 (five contacts, two a page)", crm.Lookups())
	}
	// Every contact's id is passed on, not the first's only.
	if diff := cmp.Diff(ids, sdk.IdentifierValues(resp.Identifiers["crm_contact_id"])); diff != "" {
		t.Errorf("identifiers (-want +got):\n%s", diff)
	}
}

func TestCRMAccessNoRecords(t *testing.T) {
	c, _, _ := startCRM(t, 2)
	resp, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("demo-crm", "k1", "nobody@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Pending != nil || len(resp.Records) != 0 || len(resp.Identifiers) != 0 {
		t.Errorf("want a finished answer with no records, got %+v", resp)
	}
}

func TestCRMDeletePerRecord(t *testing.T) {
	c, crm, ids := startCRM(t, 2)
	ctx := context.Background()
	j := job("demo-crm", "delete-1", "ada@example.com")
	found, err := c.Access(ctx, &sdk.AccessRequest{Job: j})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Delete(ctx, &sdk.DeleteRequest{Job: j, Records: found.Records})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Pending != nil || resp.WholeRecord || resp.RecordsDeleted != int64(len(ids)) {
		t.Fatalf("Delete = %+v, want %d records deleted", resp, len(ids))
	}
	deleted := crm.Deleted()
	slices.Sort(deleted)
	want := slices.Clone(ids)
	slices.Sort(want)
	if diff := cmp.Diff(want, deleted); diff != "" {
		t.Errorf("deleted ids (-want +got):\n%s", diff)
	}

	// The same job again (at-least-once delivery) answers the same without
	// deleting anything: the CRM would answer 404 for every record.
	again, err := c.Delete(ctx, &sdk.DeleteRequest{Job: j, Records: found.Records})
	if err != nil {
		t.Fatalf("the same job twice failed: %v", err)
	}
	if again.RecordsDeleted != int64(len(ids)) || len(crm.Deleted()) != len(ids) {
		t.Errorf("second delivery = %+v, CRM deleted %d", again, len(crm.Deleted()))
	}

	// A new attempt finds the records gone: 404 is not_found, naming the
	// endpoint as configured and not the record's URL.
	_, err = c.Delete(ctx, &sdk.DeleteRequest{Job: job("demo-crm", "delete-2", "ada@example.com"), Records: found.Records})
	e := asError(t, err)
	if e.Type != sdk.ErrorNotFound || e.StatusCode != 404 {
		t.Errorf("error = %+v, want not_found 404", e)
	}
	if want := "DELETE /contacts/{{ .record.id }}"; !strings.Contains(e.Message, want) || !strings.Contains(e.Remediation, want) {
		t.Errorf("error %q / %q does not name %q", e.Message, e.Remediation, want)
	}
	assertNoPersonalData(t, e, ids[0], "ada@example.com")
}

func TestCRMNoRecordsDeletesNothing(t *testing.T) {
	c, crm, _ := startCRM(t, 2)
	resp, err := c.Delete(context.Background(), &sdk.DeleteRequest{Job: job("demo-crm", "k", "ada@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.RecordsDeleted != 0 || resp.WholeRecord || len(crm.Deleted()) != 0 {
		t.Errorf("Delete with no records = %+v, deleted %v", resp, crm.Deleted())
	}
}

func TestCRMCredentials(t *testing.T) {
	crm := demoapi.NewCRM("the-right-token", 2)
	srv := startServer(t, crm)
	settings := exampleSettings(t, crmExample)
	rebase(t, settings, srv)

	// Configure checks the token with test_request and points at it.
	resp, err := New().Configure(context.Background(), &sdk.ConfigureRequest{Integration: "demo-crm", Settings: mustJSON(t, settings)})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) != 1 {
		t.Fatalf("diagnostics = %+v, want one", resp.Diagnostics)
	}
	d := resp.Diagnostics[0]
	if d.Severity != sdk.SeverityError || !slices.Equal(d.Path, []string{"auth", "bearer"}) || d.Err == nil ||
		d.Err.Type != sdk.ErrorAuth || d.Err.StatusCode != 401 {
		t.Errorf("diagnostic = %+v (err %+v), want an auth error at auth.bearer", d, d.Err)
	}
	if strings.Contains(d.Summary+d.Detail, testEnv["DEMO_CRM_TOKEN"]) {
		t.Error("the diagnostic carries the token")
	}
}
