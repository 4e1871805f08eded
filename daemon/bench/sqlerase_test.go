package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	sqlconnector "github.com/dsrhost/dsrhost/plugins/sql/connector"
	"github.com/dsrhost/dsrhost/sdk"
)

// The SQL erasure benchmark's data: one subject with sqlSubjectRows rows
// across three tables (a user, orders and tickets), among sqlOthers other
// users with the same number of rows each, so indexes matter.
const (
	sqlSubjectRows = 10_000
	sqlOthers      = 4
	sqlRounds      = 3
)

// benchSQLErase times the sql connector erasing one subject's rows
// (found through the dataset's graph, then deleted by primary key in one
// transaction) against a plain DELETE ... WHERE user_id = ? per table in
// one transaction, each on freshly seeded copies of the same SQLite data,
// in turn, keeping the median of sqlRounds.
func benchSQLErase(b *testing.B, _ *world) []Row {
	ctx := context.Background()
	var connector, plain []time.Duration
	for round := range sqlRounds {
		path := seedShop(b, filepath.Join(b.TempDir(), fmt.Sprintf("connector-%d.db", round)))
		connector = append(connector, timeConnectorErase(b, ctx, path))
		path = seedShop(b, filepath.Join(b.TempDir(), fmt.Sprintf("plain-%d.db", round)))
		plain = append(plain, timePlainErase(b, ctx, path))
	}
	c, p := Percentile(connector, 50), Percentile(plain, 50)
	return []Row{{
		Item: 16, Measure: fmt.Sprintf("SQL erasure, rows/s (%d rows of one subject in 3 tables)", sqlSubjectRows),
		Unit: PerSecond, Value: sqlSubjectRows / c.Seconds(),
		Anchor: "plain DELETE WHERE user_id", AnchorValue: sqlSubjectRows / p.Seconds(), Goal: RatioAtLeast(0.25),
		Note: fmt.Sprintf("SQLite (modernc.org/sqlite) in a temporary file, %d other subjects' rows beside; median of %d rounds. "+
			"The connector walks users -> orders and tickets, selects the rows to count them against max_rows, "+
			"then deletes them by primary key in one transaction.", sqlOthers*sqlSubjectRows, sqlRounds),
	}}
}

// seedShop writes the benchmark's users, orders and tickets to path.
func seedShop(b *testing.B, path string) string {
	b.Helper()
	db, err := sql.Open("sqlite", path)
	must(b, err)
	defer db.Close()
	for _, s := range []string{
		`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)`,
		`CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, total INTEGER)`,
		`CREATE TABLE tickets (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, body TEXT)`,
		`CREATE INDEX users_email ON users (email)`,
		`CREATE INDEX orders_user ON orders (user_id)`,
		`CREATE INDEX tickets_user ON tickets (user_id)`,
	} {
		_, err := db.Exec(s)
		must(b, err)
	}
	tx, err := db.Begin()
	must(b, err)
	half := (sqlSubjectRows - 1) / 2
	for u := 1; u <= sqlOthers+1; u++ {
		_, err := tx.Exec(`INSERT INTO users VALUES (?, ?)`, u, fmt.Sprintf("user%d@example.com", u))
		must(b, err)
		for i := range half {
			_, err := tx.Exec(`INSERT INTO orders (user_id, total) VALUES (?, ?)`, u, i)
			must(b, err)
		}
		for i := range sqlSubjectRows - 1 - half {
			_, err := tx.Exec(`INSERT INTO tickets (user_id, body) VALUES (?, ?)`, u, fmt.Sprintf("ticket %d", i))
			must(b, err)
		}
	}
	must(b, tx.Commit())
	return path
}

func timeConnectorErase(b *testing.B, ctx context.Context, path string) time.Duration {
	b.Helper()
	ref := func(col, to string) []map[string]string {
		return []map[string]string{{"column": col, "references": to}}
	}
	settings, err := json.Marshal(map[string]any{
		"driver": "sqlite", "dsn": path, "max_rows": 2 * sqlSubjectRows, "statement_timeout": "60s",
		"table": []map[string]any{
			{"name": "users", "identity": map[string]string{"email": "email"}, "erase": "delete"},
			{"name": "orders", "erase": "delete", "reference": ref("user_id", "users.id")},
			{"name": "tickets", "erase": "delete", "reference": ref("user_id", "users.id")},
		},
	})
	must(b, err)
	c := sqlconnector.New()
	defer c.Close()
	resp, err := c.Configure(ctx, &sdk.ConfigureRequest{Integration: "shop", Settings: settings})
	must(b, err)
	if resp.HasErrors() {
		b.Fatalf("configure the sql connector: %+v", resp.Diagnostics)
	}
	job := sdk.Job{IdempotencyKey: "bench", Integration: "shop", Subject: sdk.Subject{Email: "user1@example.com"}}
	start := time.Now()
	del, err := c.Delete(ctx, &sdk.DeleteRequest{Job: job})
	elapsed := time.Since(start)
	must(b, err)
	if del.RecordsDeleted != sqlSubjectRows {
		b.Fatalf("the connector erased %d rows, want %d", del.RecordsDeleted, sqlSubjectRows)
	}
	return elapsed
}

func timePlainErase(b *testing.B, ctx context.Context, path string) time.Duration {
	b.Helper()
	db, err := sql.Open("sqlite", path)
	must(b, err)
	defer db.Close()
	must(b, db.PingContext(ctx))
	start := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	must(b, err)
	var n int64
	for _, stmt := range []string{
		`DELETE FROM tickets WHERE user_id = ?`, `DELETE FROM orders WHERE user_id = ?`, `DELETE FROM users WHERE id = ?`,
	} {
		res, err := tx.ExecContext(ctx, stmt, 1)
		must(b, err)
		k, _ := res.RowsAffected()
		n += k
	}
	must(b, tx.Commit())
	elapsed := time.Since(start)
	if n != sqlSubjectRows {
		b.Fatalf("plain DELETE removed %d rows, want %d", n, sqlSubjectRows)
	}
	return elapsed
}
