package connector

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/sdk"
)

// Access finds exactly the subject's rows across the graph on each
// driver, with the access columns only, and passes the user id on.
func TestAccessFindsTheSubjectsRows(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.driver, func(t *testing.T) {
			c := configure(t, d.settings(t, nil))
			resp, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("a-1", sdk.Subject{Email: ada.Email})})
			if err != nil {
				t.Fatalf("Access: %v", err)
			}
			var ids []string
			for _, r := range resp.Records {
				ids = append(ids, r.ID)
			}
			if diff := cmp.Diff(adaRows, ids); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]string{"user_id": "1"}, resp.Identifiers); diff != "" {
				t.Errorf("identifiers (-want +got):\n%s", diff)
			}
			i := slices.IndexFunc(resp.Records, func(r sdk.Record) bool { return r.ID == "orders:10" })
			var order map[string]any
			if err := json.Unmarshal(resp.Records[i].Data, &order); err != nil {
				t.Fatal(err)
			}
			if _, ok := order["user_id"]; ok || order["total"] != float64(1200) {
				t.Errorf("order 10 data = %v, want only the access columns id, total and placed_at", order)
			}
			var user map[string]any
			_ = json.Unmarshal(resp.Records[0].Data, &user)
			if user["email"] != ada.Email || user["name"] != "Ada Lovelace" {
				t.Errorf("user record = %v, want every column of Ada's row", user)
			}
		})
	}
}

// An identifier with several values (as an integration this one depends
// on passes them) finds the rows of each, and identifiers found on
// several rows are passed on with every value.
func TestSeveralIdentifierValues(t *testing.T) {
	d := sqliteDB(t)
	c := configure(t, d.settings(t, nil))
	subj := sdk.Subject{Identifiers: map[string]string{"user_id": sdk.JoinIdentifierValues([]string{"1", "3", "x"})}}
	resp, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("multi", subj)})
	if err != nil {
		t.Fatal(err)
	}
	var users []string
	for _, r := range resp.Records {
		if r.Kind == "users" {
			users = append(users, r.ID)
		}
	}
	if diff := cmp.Diff([]string{"users:1", "users:3"}, users); diff != "" {
		t.Errorf("users found (-want +got):\n%s", diff)
	}
	if got := sdk.IdentifierValues(resp.Identifiers["user_id"]); !cmp.Equal(got, []string{"1", "3"}) {
		t.Errorf("user_id passed on = %q, want both values", resp.Identifiers["user_id"])
	}
}

// Identifiers that look like SQL find nothing and change nothing; a user
// id that is not a number cannot match an integer column.
func TestInjectionFindsNothing(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.driver, func(t *testing.T) {
			before := d.snapshot(t)
			c := configure(t, d.settings(t, nil))
			for _, subj := range []sdk.Subject{
				{Email: "x' OR 1=1 --"},
				{Email: `x" OR "1"="1`, UserID: "1 OR 1=1"},
				{Email: "nobody@example.com", UserID: "0x1"},
			} {
				resp, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("inj-a", subj)})
				if err != nil {
					t.Fatalf("Access: %v", err)
				}
				if len(resp.Records) != 0 {
					t.Errorf("Access found %d records for a hostile identifier, want 0", len(resp.Records))
				}
				del, err := c.Delete(context.Background(), &sdk.DeleteRequest{Job: job("inj-d-"+subj.Email, subj)})
				if err != nil {
					t.Fatalf("Delete: %v", err)
				}
				if del.RecordsDeleted != 0 {
					t.Errorf("Delete changed %d rows for a hostile identifier, want 0", del.RecordsDeleted)
				}
			}
			if diff := cmp.Diff(before, d.snapshot(t)); diff != "" {
				t.Errorf("the database changed (-before +after):\n%s", diff)
			}
		})
	}
}
