package connector

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/dsrhost/dsrhost/sdk"
)

// Delete erases the subject's rows in one transaction: it finds them
// again (locked where the database can), fails touching nothing when they
// pass max_rows, deletes or masks each table's rows, children before
// parents, and commits. RecordsDeleted counts the rows deleted and the
// rows masked. A failure rolls everything back.
func (c *SQL) Delete(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	in, err := c.integration(req.Job.Integration)
	if err != nil {
		return nil, err
	}
	if r, ok := c.erased.get(req.Job.Integration, req.Job.IdempotencyKey); ok {
		return r, nil
	}
	n, err := c.erase(ctx, in, req.Job)
	if err != nil {
		return nil, classify(err, in.d, "erase the subject's rows")
	}
	resp := &sdk.DeleteResponse{RecordsDeleted: n}
	c.erased.put(req.Job.Integration, req.Job.IdempotencyKey, resp)
	return resp, nil
}

func (c *SQL) erase(ctx context.Context, in *integration, job sdk.Job) (n int64, err error) {
	tx, err := in.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	tables, err := in.walk(ctx, tx, job.Subject, forErasure)
	if err != nil {
		return 0, err
	}
	for _, f := range slices.Backward(tables) {
		var changed int64
		switch f.table.Erase {
		case eraseDelete:
			changed, err = in.deleteRows(ctx, tx, f)
		case eraseMask:
			changed, err = in.maskRows(ctx, tx, f, job.IdempotencyKey)
		}
		if err != nil {
			return 0, fmt.Errorf("erase rows of table %q: %w", f.table.Name, err)
		}
		n += changed
		c.step("table:" + f.table.Name)
	}
	c.step("commit")
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return n, nil
}

// deleteRows deletes f's rows by primary key, many per statement.
func (in *integration) deleteRows(ctx context.Context, tx *sql.Tx, f *found) (int64, error) {
	d, pk := in.d, f.info.PK
	var n int64
	for start := 0; start < len(f.rows); start += inClauseSize / len(pk) {
		chunk := f.rows[start:min(start+inClauseSize/len(pk), len(f.rows))]
		res, err := in.exec(ctx, tx, "DELETE FROM "+d.quote(f.table.Name)+" WHERE "+in.keyIn(pk, chunk), keyArgs(chunk, len(pk)))
		if err != nil {
			return 0, err
		}
		affected, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		n += affected
	}
	return n, nil
}

// maskRows rewrites the masked columns of each of f's rows that a mask
// changes, one statement per row (hashes and random strings differ by row).
func (in *integration) maskRows(ctx context.Context, tx *sql.Tx, f *found, jobKey string) (int64, error) {
	d, pk, t := in.d, f.info.PK, f.table
	var sets, where []string
	for i, m := range t.Mask {
		sets = append(sets, d.quote(m.Column)+" = "+d.placeholder(i+1))
	}
	for i, col := range pk {
		where = append(where, d.quote(col)+" = "+d.placeholder(len(t.Mask)+i+1))
	}
	stmt := "UPDATE " + d.quote(t.Name) + " SET " + strings.Join(sets, ", ") + " WHERE " + strings.Join(where, " AND ")
	var n int64
	for _, r := range f.rows {
		args := make([]any, 0, len(t.Mask)+len(pk))
		changed := false
		for _, m := range t.Mask {
			col, _ := f.info.column(m.Column)
			v, ch := m.Strategy.apply(f.value(r, m.Column), maskInput{
				hashKey: in.s.HashKey, jobKey: jobKey, table: t.Name, row: r.key, column: m.Column, col: col,
			})
			args = append(args, v)
			changed = changed || ch
		}
		if !changed {
			continue
		}
		args = append(args, r.vals[:len(pk)]...)
		if _, err := in.exec(ctx, tx, stmt, args); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

func (in *integration) exec(ctx context.Context, tx *sql.Tx, stmt string, args []any) (sql.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, in.s.StatementTimeout)
	defer cancel()
	return tx.ExecContext(ctx, stmt, args...)
}

// keyIn is the condition matching rows by primary key: "id IN (...)" for
// a one-column key, an OR of ANDs for a composite one.
func (in *integration) keyIn(pk []string, rows []foundRow) string {
	d := in.d
	if len(pk) == 1 {
		marks := make([]string, len(rows))
		for i := range rows {
			marks[i] = d.placeholder(i + 1)
		}
		return d.quote(pk[0]) + " IN (" + strings.Join(marks, ", ") + ")"
	}
	conds := make([]string, len(rows))
	n := 0
	for i := range rows {
		parts := make([]string, len(pk))
		for j, col := range pk {
			n++
			parts[j] = d.quote(col) + " = " + d.placeholder(n)
		}
		conds[i] = "(" + strings.Join(parts, " AND ") + ")"
	}
	return strings.Join(conds, " OR ")
}

// keyArgs are the primary key values of rows, in keyIn's order.
func keyArgs(rows []foundRow, keyLen int) []any {
	args := make([]any, 0, len(rows)*keyLen)
	for _, r := range rows {
		args = append(args, r.vals[:keyLen]...)
	}
	return args
}
