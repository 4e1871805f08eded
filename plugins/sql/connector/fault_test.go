package connector

import (
	"context"
	"database/sql"
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
