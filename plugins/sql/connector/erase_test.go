package connector

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/sdk"
)

// othersUnchanged checks that every row not in changed (table -> ids) is
// as it was, and returns the rows of changed as they are now (absent ones
// missing).
func othersUnchanged(t *testing.T, before, after map[string]map[string]string, changed map[string][]string) map[string]map[string]string {
	t.Helper()
	mine := map[string]map[string]string{}
	for tbl, rows := range before {
		mine[tbl] = map[string]string{}
		for id, row := range rows {
			if strings.Contains(" "+strings.Join(changed[tbl], " ")+" ", " "+id+" ") {
				if now, ok := after[tbl][id]; ok {
					mine[tbl][id] = now
				}
				continue
			}
			if after[tbl][id] != row {
				t.Errorf("%s row %s of another subject changed:\nbefore %s\nafter  %s", tbl, id, row, after[tbl][id])
			}
		}
		for id := range after[tbl] {
			if _, ok := rows[id]; !ok {
				t.Errorf("%s row %s appeared", tbl, id)
			}
		}
	}
	return mine
}

var adaIDs = map[string][]string{"users": {"1"}, "addresses": {"1", "2"}, "orders": {"10", "11"}, "tickets": {"100", "101"}}

// Deleting removes exactly the subject's rows, children before parents,
// counts them, and the same job again (or after a restart) changes nothing.
func TestDeleteRemovesExactlyTheSubjectsRows(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.driver, func(t *testing.T) {
			if d.driver != "sqlite" {
				d.pg.Exec(t, "ALTER TABLE tickets ADD CONSTRAINT tickets_order FOREIGN KEY (order_id) REFERENCES orders (id)")
			}
			before := d.snapshot(t)
			settings := d.settings(t, nil)
			c := configure(t, settings)
			req := &sdk.DeleteRequest{Job: job("d-1", ada)}
			resp, err := c.Delete(context.Background(), req)
			if err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if resp.RecordsDeleted != 7 {
				t.Errorf("RecordsDeleted = %d, want 7", resp.RecordsDeleted)
			}
			after := d.snapshot(t)
			for tbl, rows := range othersUnchanged(t, before, after, adaIDs) {
				if len(rows) != 0 {
					t.Errorf("Ada's %s rows survived: %v", tbl, rows)
				}
			}
			again, err := c.Delete(context.Background(), req)
			if err != nil || again.RecordsDeleted != 7 {
				t.Errorf("the same job again = %+v, %v; want the first answer", again, err)
			}
			restarted := configure(t, settings)
			fresh, err := restarted.Delete(context.Background(), req)
			if err != nil || fresh.RecordsDeleted != 0 {
				t.Errorf("the job after a restart = %+v, %v; want 0 rows changed", fresh, err)
			}
			if diff := cmp.Diff(after, d.snapshot(t)); diff != "" {
				t.Errorf("running the job again changed the database (-first +second):\n%s", diff)
			}
		})
	}
}

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Each mask strategy rewrites exactly the subject's columns; running the
// job again, even after a restart, changes nothing more.
func TestMaskStrategies(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.driver, func(t *testing.T) {
			before := d.snapshot(t)
			settings := d.settings(t, func(tables []map[string]any) {
				tables[0]["erase"] = "mask"
				tables[0]["mask"] = map[string]string{
					"email": "hash", "name": "null", "phone": "fixed:redacted", "nickname": "random:12", "birth_date": "truncate:year",
				}
				tables[2]["erase"] = "mask"
				tables[2]["mask"] = map[string]string{"placed_at": "truncate:month"}
				tables[3]["erase"] = "none"
			})
			c := configure(t, settings)
			req := &sdk.DeleteRequest{Job: job("m-1", ada)}
			resp, err := c.Delete(context.Background(), req)
			if err != nil {
				t.Fatalf("Delete: %v", err)
			}
			// user 1 masked, addresses 1 and 2 deleted, orders 10 and 11 masked.
			if resp.RecordsDeleted != 5 {
				t.Errorf("RecordsDeleted = %d, want 5", resp.RecordsDeleted)
			}
			after := d.snapshot(t)
			mine := othersUnchanged(t, before, after, map[string][]string{"users": {"1"}, "addresses": {"1", "2"}, "orders": {"10", "11"}})
			var user map[string]string
			if err := json.Unmarshal([]byte(mine["users"]["1"]), &user); err != nil {
				t.Fatalf("Ada's user row: %v", err)
			}
			if !hexHash.MatchString(user["email"]) || user["name"] != "NULL" || user["phone"] != "redacted" ||
				len(user["nickname"]) != 12 || user["nickname"] == "countess" || !strings.HasPrefix(user["birth_date"], "1815-01-01") {
				t.Errorf("Ada's masked user row = %v", user)
			}
			if len(mine["addresses"]) != 0 {
				t.Errorf("Ada's addresses survived: %v", mine["addresses"])
			}
			for id, want := range map[string]string{"10": "2024-03-01 00:00:00", "11": "2024-05-01 00:00:00"} {
				var order map[string]string
				_ = json.Unmarshal([]byte(mine["orders"][id]), &order)
				if order["placed_at"] != want {
					t.Errorf("order %s placed_at = %q, want %q", id, order["placed_at"], want)
				}
			}
			if diff := cmp.Diff(before["tickets"], after["tickets"]); diff != "" {
				t.Errorf("tickets (erase = none) changed:\n%s", diff)
			}
			restarted := configure(t, settings)
			fresh, err := restarted.Delete(context.Background(), req)
			if err != nil || fresh.RecordsDeleted != 0 {
				t.Errorf("the same job after a restart = %+v, %v; want 0 rows changed", fresh, err)
			}
			if diff := cmp.Diff(after, d.snapshot(t)); diff != "" {
				t.Errorf("masking again changed the database (-first +second):\n%s", diff)
			}
		})
	}
}

// More rows than max_rows fail the job with a remediation, touching nothing.
func TestMaxRowsTouchesNothing(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.driver, func(t *testing.T) {
			before := d.snapshot(t)
			var raw map[string]any
			_ = json.Unmarshal(d.settings(t, nil), &raw)
			raw["max_rows"] = 5
			js, _ := json.Marshal(raw)
			c := configure(t, sdk.Settings(js))
			_, err := c.Delete(context.Background(), &sdk.DeleteRequest{Job: job("max-1", ada)})
			var e *sdk.Error
			if !errors.As(err, &e) || e.Type != sdk.ErrorInvalidConfig || !strings.Contains(e.Remediation, "max_rows") {
				t.Fatalf("Delete over max_rows = %v, want invalid_config naming max_rows", err)
			}
			if diff := cmp.Diff(before, d.snapshot(t)); diff != "" {
				t.Errorf("the database changed (-before +after):\n%s", diff)
			}
		})
	}
}
