package connector

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/plugins/sql/internal/dbtest"
	"github.com/dsrhost/dsrhost/sdk"
)

// testDB is one seeded database of one driver.
type testDB struct {
	driver string
	dsn    string
	db     *sql.DB
	pg     *dbtest.Database // nil for SQLite
}

// seedTables are the shop's tables: users, their addresses and orders,
// and support tickets linked to an order or only to an email.
var seedTables = []string{"users", "addresses", "orders", "tickets"}

func ddl(driver string) []string {
	ts := "TIMESTAMP"
	if driver != "postgres" {
		ts = "DATETIME"
	}
	return []string{
		`CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL, name VARCHAR(100),
			phone VARCHAR(40), nickname VARCHAR(64), birth_date DATE)`,
		`CREATE TABLE addresses (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id),
			street VARCHAR(200), city VARCHAR(100))`,
		`CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), total INTEGER NOT NULL,
			placed_at ` + ts + ` NOT NULL)`,
		`CREATE TABLE tickets (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders (id), email VARCHAR(255),
			subject VARCHAR(200))`,
	}
}

// seedRows are three subjects' rows. Ada (user 1) has two addresses, two
// orders, a ticket about an order and one sent from her email only; Bob
// and Cyd have rows of their own, and Bob wrote about his order.
var seedRows = []string{
	`INSERT INTO users VALUES (1, 'ada@example.com', 'Ada Lovelace', '+44 20 7946 0001', 'countess', '1815-12-10'),
		(2, 'bob@example.com', 'Bob Babbage', '+44 20 7946 0002', 'engine', '1791-12-26'),
		(3, 'cyd@example.com', 'Cyd Charisse', NULL, NULL, '1922-03-08')`,
	`INSERT INTO addresses VALUES (1, 1, '12 St James Square', 'London'), (2, 1, 'Ockham Park', 'Surrey'),
		(3, 2, '1 Dorset Street', 'London'), (4, 3, '1 Hollywood Blvd', 'Los Angeles')`,
	`INSERT INTO orders VALUES (10, 1, 1200, '2024-03-15 10:30:00'), (11, 1, 80, '2024-05-02 18:00:00'),
		(20, 2, 500, '2024-04-01 09:00:00'), (30, 3, 42, '2024-06-30 23:59:00')`,
	`INSERT INTO tickets VALUES (100, 10, 'ada@example.com', 'Where is my order?'),
		(101, NULL, 'ada@example.com', 'Please delete my data'),
		(200, 20, 'bob@example.com', 'Refund'), (300, NULL, 'cyd@example.com', 'Hello')`,
}

// adaRows are the record ids of Ada's rows across the graph.
var adaRows = []string{"users:1", "addresses:1", "addresses:2", "orders:10", "orders:11", "tickets:100", "tickets:101"}

var ada = sdk.Subject{Email: "ada@example.com", UserID: "1"}

// databases returns a freshly seeded database for each driver.
func databases(t *testing.T) []*testDB {
	t.Helper()
	var out []*testDB
	out = append(out, sqliteDB(t))
	for _, srv := range []*dbtest.Server{dbtest.Postgres(t), dbtest.MariaDB(t)} {
		d := srv.NewDatabase(t)
		d.Exec(t, ddl(srv.Driver)...)
		d.Exec(t, seedRows...)
		out = append(out, &testDB{driver: srv.Driver, dsn: d.DSN, db: d.DB, pg: d})
	}
	return out
}

func sqliteDB(t *testing.T) *testDB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shop.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	for _, s := range append(ddl("sqlite"), seedRows...) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return &testDB{driver: "sqlite", dsn: path, db: db}
}

// snapshot reads every row of every table as text, by table and id.
func (d *testDB) snapshot(t *testing.T) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, tbl := range seedTables {
		rows, err := d.db.Query("SELECT * FROM " + tbl + " ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		out[tbl] = map[string]string{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			m := map[string]string{}
			for i, c := range cols {
				m[c] = text(vals[i])
			}
			js, _ := json.Marshal(m)
			out[tbl][m["id"]] = string(js)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05")
	}
	return fmt.Sprint(v)
}

// settings builds an integration's settings over the seeded tables, as
// the daemon sends them; change adjusts the table blocks before encoding.
func (d *testDB) settings(t *testing.T, change func(tables []map[string]any)) sdk.Settings {
	t.Helper()
	tables := []map[string]any{
		{"name": "users", "identity": map[string]string{"email": "email", "id": "user_id"},
			"identifiers": map[string]string{"user_id": "id"}, "erase": "delete"},
		{"name": "addresses", "erase": "delete",
			"reference": []map[string]any{{"column": "user_id", "references": "users.id"}}},
		{"name": "orders", "erase": "delete", "columns": []string{"id", "total", "placed_at"},
			"reference": []map[string]any{{"column": "user_id", "references": "users.id"}}},
		{"name": "tickets", "identity": map[string]string{"email": "email"}, "erase": "delete",
			"reference": []map[string]any{{"column": "order_id", "references": "orders.id"}}},
	}
	if change != nil {
		change(tables)
	}
	raw, err := json.Marshal(map[string]any{
		"driver": d.driver, "dsn": d.dsn, "pool_size": 2, "statement_timeout": "30s", "max_rows": 100,
		"hash_key": "0123456789abcdef-test-key", "table": tables,
	})
	if err != nil {
		t.Fatal(err)
	}
	return sdk.Settings(raw)
}

// configure configures a new connector with settings, failing on any error.
func configure(t *testing.T, settings sdk.Settings, opts ...Option) *SQL {
	t.Helper()
	c := New(opts...)
	t.Cleanup(c.Close)
	resp, err := c.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "shop", Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	if resp.HasErrors() {
		t.Fatalf("Configure: %+v", resp.Diagnostics)
	}
	return c
}

func job(key string, subj sdk.Subject) sdk.Job {
	return sdk.Job{IdempotencyKey: key, RequestID: "req-1", Subject: subj, Integration: "shop"}
}
