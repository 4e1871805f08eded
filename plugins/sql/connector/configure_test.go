package connector

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/sdk"
)

// wantErrorAt fails unless resp has an error diagnostic at path whose
// summary contains summary.
func wantErrorAt(t *testing.T, resp *sdk.ConfigureResponse, path []string, summary string) {
	t.Helper()
	for _, d := range resp.Diagnostics {
		if d.Severity == sdk.SeverityError && slices.Equal(d.Path, path) && strings.Contains(d.Summary, summary) {
			return
		}
	}
	t.Errorf("no error %q at %v; got %+v", summary, path, resp.Diagnostics)
}

func configureResp(t *testing.T, settings sdk.Settings, validateOnly bool) *sdk.ConfigureResponse {
	t.Helper()
	c := New()
	t.Cleanup(c.Close)
	resp, err := c.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "shop", Settings: settings, ValidateOnly: validateOnly})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// Mistakes in the dataset that need no database are reported at their
// setting, all at once.
func TestDatasetMistakes(t *testing.T) {
	d := sqliteDB(t)
	cases := []struct {
		name    string
		change  func([]map[string]any)
		path    []string
		summary string
	}{
		{"unknown referenced table", func(ts []map[string]any) {
			ts[1]["reference"] = []map[string]any{{"column": "user_id", "references": "accounts.id"}}
		}, []string{"table", "1", "reference", "0", "references"}, "Unknown table"},
		{"cycle", func(ts []map[string]any) {
			ts[0]["reference"] = []map[string]any{{"column": "id", "references": "tickets.id"}}
		}, []string{"table", "2", "reference", "0", "references"}, "cycle"}, // users -> tickets -> orders -> users closes at orders
		{"self reference", func(ts []map[string]any) {
			ts[1]["reference"] = []map[string]any{{"column": "id", "references": "addresses.user_id"}}
		}, []string{"table", "1", "reference", "0", "references"}, "cycle"},
		{"unreachable table", func(ts []map[string]any) {
			delete(ts[1], "reference")
		}, []string{"table", "1"}, "not reachable"},
		{"bad strategy", func(ts []map[string]any) {
			ts[0]["erase"], ts[0]["mask"] = "mask", map[string]string{"email": "scramble"}
		}, []string{"table", "0", "mask", "email"}, "Invalid mask strategy"},
		{"mask without erase mask", func(ts []map[string]any) {
			ts[0]["mask"] = map[string]string{"email": "null"}
		}, []string{"table", "0", "mask"}, "Mask without"},
		{"bad erase", func(ts []map[string]any) { ts[2]["erase"] = "drop" }, []string{"table", "2", "erase"}, "Invalid erase"},
		{"duplicate table", func(ts []map[string]any) { ts[3]["name"] = "orders" }, []string{"table", "3", "name"}, "Duplicate"},
		{"quoted name", func(ts []map[string]any) { ts[3]["name"] = `tickets"; DROP TABLE users; --` }, []string{"table", "3", "name"}, "Invalid table name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantErrorAt(t, configureResp(t, d.settings(t, tc.change), true), tc.path, tc.summary)
		})
	}
}

// Names the database does not have, and masks a column cannot take, are
// reported at the setting naming them.
func TestCatalogMistakes(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.driver, func(t *testing.T) {
			resp := configureResp(t, d.settings(t, func(ts []map[string]any) {
				ts[1]["name"] = "adresses"
				ts[2]["columns"] = []string{"id", "totl"}
				ts[0]["erase"], ts[0]["mask"] = "mask", map[string]string{"email": "null", "id": "hash", "birth_date": "hash"}
			}), true)
			wantErrorAt(t, resp, []string{"table", "1", "name"}, "Table not found")
			wantErrorAt(t, resp, []string{"table", "2", "columns", "1"}, "Column not found")
			wantErrorAt(t, resp, []string{"table", "0", "mask", "email"}, "cannot take")
			wantErrorAt(t, resp, []string{"table", "0", "mask", "id"}, "cannot take")
			wantErrorAt(t, resp, []string{"table", "0", "mask", "birth_date"}, "cannot take")
		})
	}
}

// A user lacking a privilege the dataset needs draws an error at the
// table block that needs it; granting it clears the error.
func TestMissingGrant(t *testing.T) {
	for _, d := range databases(t)[1:] {
		t.Run(d.driver, func(t *testing.T) {
			user := "shop_" + d.pg.Name
			if d.driver == "postgres" {
				d.pg.Exec(t, "CREATE ROLE "+user+" LOGIN PASSWORD 'pw'",
					"GRANT SELECT ON users, addresses, orders, tickets TO "+user,
					"GRANT DELETE ON users, orders, tickets TO "+user)
				t.Cleanup(func() { d.pg.Exec(t, "DROP OWNED BY "+user, "DROP ROLE "+user) })
			} else {
				d.pg.Exec(t, "CREATE USER '"+user+"'@'127.0.0.1' IDENTIFIED BY 'pw'",
					"GRANT SELECT ON "+d.pg.Name+".* TO '"+user+"'@'127.0.0.1'",
					"GRANT DELETE ON "+d.pg.Name+".users TO '"+user+"'@'127.0.0.1'",
					"GRANT DELETE ON "+d.pg.Name+".orders TO '"+user+"'@'127.0.0.1'",
					"GRANT DELETE ON "+d.pg.Name+".tickets TO '"+user+"'@'127.0.0.1'")
				t.Cleanup(func() { d.pg.Exec(t, "DROP USER '"+user+"'@'127.0.0.1'") })
			}
			limited := &testDB{driver: d.driver, dsn: d.pg.DSNFor(user, "pw")}
			resp := configureResp(t, limited.settings(t, nil), false)
			wantErrorAt(t, resp, []string{"table", "1"}, "Missing privilege")
			if n := len(resp.Diagnostics); n != 1 {
				t.Errorf("got %d diagnostics, want only the one about addresses: %+v", n, resp.Diagnostics)
			}
			if !strings.Contains(resp.Diagnostics[0].Detail, "DELETE") {
				t.Errorf("detail %q does not name DELETE", resp.Diagnostics[0].Detail)
			}
			if d.driver == "postgres" {
				d.pg.Exec(t, "GRANT DELETE ON addresses TO "+user)
			} else {
				d.pg.Exec(t, "GRANT DELETE ON "+d.pg.Name+".addresses TO '"+user+"'@'127.0.0.1'")
			}
			if resp := configureResp(t, limited.settings(t, nil), false); resp.HasErrors() {
				t.Fatalf("after the grant: %+v", resp.Diagnostics)
			}
			// The grants Configure asks for are enough to erase: masking
			// users needs UPDATE on the masked column only.
			if d.driver == "postgres" {
				d.pg.Exec(t, "GRANT UPDATE (name) ON users TO "+user)
			} else {
				d.pg.Exec(t, "GRANT UPDATE (name) ON "+d.pg.Name+".users TO '"+user+"'@'127.0.0.1'")
			}
			c := configure(t, limited.settings(t, func(ts []map[string]any) {
				ts[0]["erase"], ts[0]["mask"] = "mask", map[string]string{"name": "null"}
			}))
			del, err := c.Delete(context.Background(), &sdk.DeleteRequest{Job: job("g-1", ada)})
			if err != nil || del.RecordsDeleted != 7 {
				t.Errorf("Delete with exactly the grants asked for = %+v, %v; want 7 rows erased", del, err)
			}
		})
	}
}

// A database that cannot be reached fails Configure as unavailable at
// dsn, and is only a warning for dsrhost validate, which works offline.
func TestUnreachableDatabase(t *testing.T) {
	d := &testDB{driver: "postgres", dsn: "postgres://nobody:secret-pw@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}
	resp := configureResp(t, d.settings(t, nil), false)
	wantErrorAt(t, resp, []string{"dsn"}, "")
	if e := resp.Diagnostics[0].Err; e == nil || e.Type != sdk.ErrorUnavailable {
		t.Errorf("error = %+v, want unavailable", e)
	}
	js, _ := json.Marshal(resp.Diagnostics)
	if strings.Contains(string(js), "secret-pw") {
		t.Errorf("a diagnostic quotes the dsn's password: %s", js)
	}
	v := configureResp(t, d.settings(t, nil), true)
	if v.HasErrors() || len(v.Diagnostics) != 1 || v.Diagnostics[0].Severity != sdk.SeverityWarning {
		t.Errorf("validate-only = %+v, want one warning", v.Diagnostics)
	}
	c := New()
	_, err := c.Access(context.Background(), &sdk.AccessRequest{Job: job("x", ada)})
	var e *sdk.Error
	if !errors.As(err, &e) || e.Type != sdk.ErrorInvalidConfig {
		t.Errorf("Access before Configure = %v, want invalid_config", err)
	}
}
