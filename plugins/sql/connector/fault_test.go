package connector

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/sdk"
)

// A database that dies in the middle of an erasure, after a table's rows
// were deleted but before the commit, fails the job as unavailable (so it
// is retried) and leaves nothing half-erased; the retry then erases all.
func TestDatabaseStoppedMidErasure(t *testing.T) {
	for _, d := range databases(t)[1:] {
		t.Run(d.driver, func(t *testing.T) {
			before := d.snapshot(t)
			srv := d.pg.Server
			var once sync.Once
			var steps []string
			c := configure(t, d.settings(t, nil), WithStepHook(func(step string) {
				steps = append(steps, step)
				if strings.HasPrefix(step, "table:") {
					once.Do(srv.Stop)
				}
			}))
			_, err := c.Delete(context.Background(), &sdk.DeleteRequest{Job: job("f-1", ada)})
			srv.Restart(t)
			var e *sdk.Error
			if !errors.As(err, &e) || e.Type != sdk.ErrorUnavailable || !e.Retryable {
				t.Fatalf("Delete with the database stopped = %v (steps %v), want a retryable unavailable error", err, steps)
			}
			if strings.Contains(e.Message, "ada@") {
				t.Errorf("error quotes personal data: %s", e.Message)
			}
			driver := map[string]string{"postgres": "pgx", "mysql": "mysql"}[d.driver]
			db, err := sql.Open(driver, d.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			fresh := &testDB{driver: d.driver, dsn: d.dsn, db: db}
			if diff := cmp.Diff(before, fresh.snapshot(t)); diff != "" {
				t.Fatalf("a half-done erasure was committed (-before +after):\n%s", diff)
			}
			resp, err := c.Delete(context.Background(), &sdk.DeleteRequest{Job: job("f-1", ada)})
			if err != nil || resp.RecordsDeleted != 7 {
				t.Errorf("the retried job = %+v, %v; want 7 rows deleted", resp, err)
			}
		})
	}
}

// A row locked by another transaction holds the erasure past
// statement_timeout: the job fails as a retryable timeout, and changes
// nothing; once the lock is gone the retry erases.
func TestLockedRowTimesOut(t *testing.T) {
	for _, d := range databases(t)[1:] {
		t.Run(d.driver, func(t *testing.T) {
			before := d.snapshot(t)
			var raw map[string]any
			_ = json.Unmarshal(d.settings(t, func(ts []map[string]any) {
				ts[0]["erase"], ts[0]["mask"] = "mask", map[string]string{"name": "null"}
			}), &raw)
			raw["statement_timeout"] = "1s"
			js, _ := json.Marshal(raw)
			c := configure(t, sdk.Settings(js))

			ctx := context.Background()
			blocker, err := d.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := blocker.ExecContext(ctx, "UPDATE users SET nickname = nickname WHERE id = 1"); err != nil {
				t.Fatal(err)
			}
			_, err = c.Delete(ctx, &sdk.DeleteRequest{Job: job("lock-1", ada)})
			var e *sdk.Error
			if !errors.As(err, &e) || e.Type != sdk.ErrorTimeout || !e.Retryable {
				t.Errorf("Delete behind a lock = %v, want a retryable timeout", err)
			}
			if err := blocker.Rollback(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, d.snapshot(t)); diff != "" {
				t.Fatalf("the timed-out erasure changed rows (-before +after):\n%s", diff)
			}
			resp, err := c.Delete(ctx, &sdk.DeleteRequest{Job: job("lock-1", ada)})
			if err != nil || resp.RecordsDeleted != 7 {
				t.Errorf("the retry = %+v, %v; want 7 rows erased", resp, err)
			}
		})
	}
}
