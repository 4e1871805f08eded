package connector

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dsrhost/dsrhost/sdk"
)

// inClauseSize bounds the values of one IN list, well under every
// database's limit on parameters (SQLite's is 32,766; PostgreSQL's and
// MySQL's 65,535).
const inClauseSize = 2000

// purpose is why rows are found: to read them or to erase them.
type purpose int

const (
	forAccess purpose = iota
	forErasure
)

// found is the subject's rows of one table.
type found struct {
	table *table
	info  *tableInfo
	cols  []string // columns selected, the primary key first
	rows  []foundRow
}

type foundRow struct {
	key  string // the primary key's values, for record ids and de-duplication
	vals []any  // aligned with found.cols
}

func (f *found) value(r foundRow, col string) any { return r.vals[slices.Index(f.cols, col)] }

// tooManyRows is the error when the walk passes max_rows.
func tooManyRows(max int) *sdk.Error {
	return sdk.Errorf(sdk.ErrorInvalidConfig, "the dataset found more than max_rows (%d) rows for this subject; nothing was changed", max).
		WithRemediation("Check that the identity columns and references select only the subject's rows; " +
			"if they do, raise max_rows in the integration's settings and retry.")
}

// walk finds the subject's rows in every table, parents first. Each table's
// rows are those whose identity column holds one of the subject's
// identifiers, and those whose reference column holds a key of a parent
// row found already.
func (in *integration) walk(ctx context.Context, q queryer, subj sdk.Subject, p purpose) ([]*found, error) {
	byTable := map[string]*found{}
	var out []*found
	total := 0
	for _, t := range in.s.Dataset.tables {
		f := &found{table: t, info: in.cat[t.Name]}
		f.cols = in.selectColumns(t, f.info, p)
		seen := map[string]bool{}
		collect := func(col string, vals []any) error {
			for start := 0; start < len(vals); start += inClauseSize {
				chunk := vals[start:min(start+inClauseSize, len(vals))]
				if err := in.selectRows(ctx, q, f, col, chunk, p, seen); err != nil {
					return fmt.Errorf("find rows of table %q: %w", t.Name, err)
				}
				if total+len(f.rows) > in.s.MaxRows {
					return tooManyRows(in.s.MaxRows)
				}
			}
			return nil
		}
		for _, id := range t.Identity {
			if err := collect(id.Column, identityParams(subj, id.Identifier, f.info, id.Column)); err != nil {
				return nil, err
			}
		}
		for _, r := range t.References {
			parent := byTable[r.Table]
			if err := collect(r.Column, distinctValues(parent, r.To)); err != nil {
				return nil, err
			}
		}
		total += len(f.rows)
		byTable[t.Name] = f
		out = append(out, f)
	}
	return out, nil
}

// selectColumns is the primary key, then what p needs: the access columns
// (or masked columns), the columns children reference, and the columns of
// exported identifiers.
func (in *integration) selectColumns(t *table, info *tableInfo, p purpose) []string {
	cols := slices.Clone(info.PK)
	add := func(c string) {
		if !slices.Contains(cols, c) {
			cols = append(cols, c)
		}
	}
	if p == forAccess {
		access := t.Columns
		if access == nil {
			access = info.names()
		}
		for _, c := range access {
			add(c)
		}
		for _, e := range t.Identifiers {
			add(e.Column)
		}
	} else {
		for _, m := range t.Mask {
			add(m.Column)
		}
	}
	for _, child := range in.s.Dataset.tables {
		for _, r := range child.References {
			if r.Table == t.Name {
				add(r.To)
			}
		}
	}
	return cols
}

// selectRows adds to f the rows whose col holds one of vals.
func (in *integration) selectRows(ctx context.Context, q queryer, f *found, col string, vals []any, p purpose, seen map[string]bool) error {
	if len(vals) == 0 {
		return nil
	}
	d := in.d
	quoted := make([]string, len(f.cols))
	for i, c := range f.cols {
		quoted[i] = d.quote(c)
	}
	marks := make([]string, len(vals))
	for i := range vals {
		marks[i] = d.placeholder(i + 1)
	}
	order := make([]string, len(f.info.PK))
	for i, c := range f.info.PK {
		order[i] = d.quote(c)
	}
	query := "SELECT " + strings.Join(quoted, ", ") + " FROM " + d.quote(f.table.Name) +
		" WHERE " + d.quote(col) + " IN (" + strings.Join(marks, ", ") + ") ORDER BY " + strings.Join(order, ", ")
	if p == forErasure && f.table.Erase == eraseMask {
		// Masks are computed from the values read, so those rows are
		// locked until the commit. Deleted rows need no lock (a row gone
		// meanwhile is simply not counted), and a lock would need UPDATE
		// privilege on PostgreSQL, which delete-only tables lack.
		query += d.lockRows()
	}
	ctx, cancel := context.WithTimeout(ctx, in.s.StatementTimeout)
	defer cancel()
	return eachRow(ctx, q, query, vals, func(rows *sql.Rows) error {
		vals := make([]any, len(f.cols))
		ptrs := make([]any, len(f.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			vals[i] = normalise(v)
		}
		key := rowKey(vals[:len(f.info.PK)])
		if !seen[key] {
			seen[key] = true
			f.rows = append(f.rows, foundRow{key: key, vals: vals})
		}
		return nil
	})
}

// identityParams are the subject's values of identifier as parameters
// for column col: none when the subject has none, several when an
// integration this one depends on found several (sdk.IdentifierValues).
// A value that cannot be in the column (a user id that is not a number,
// for an integer column) is left out: it matches nothing.
func identityParams(subj sdk.Subject, identifier string, info *tableInfo, col string) []any {
	var v string
	switch identifier {
	case "email":
		v = subj.Email
	case "phone":
		v = subj.Phone
	case "user_id":
		v = subj.UserID
	}
	if v == "" {
		v = subj.Identifiers[identifier]
	}
	c, _ := info.column(col)
	var out []any
	for _, s := range sdk.IdentifierValues(v) {
		if c.Class != classInteger {
			out = append(out, s)
			continue
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// distinctValues are the non-NULL values of col among f's rows.
func distinctValues(f *found, col string) []any {
	var out []any
	seen := map[string]bool{}
	for _, r := range f.rows {
		v := f.value(r, col)
		if v == nil {
			continue
		}
		k := fmt.Sprintf("%T:%v", v, v)
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

// normalise turns the text some drivers return as bytes into strings.
func normalise(v any) any {
	if b, ok := v.([]byte); ok && utf8.Valid(b) {
		return string(b)
	}
	return v
}

func rowKey(pk []any) string {
	if len(pk) == 1 {
		return keyText(pk[0])
	}
	parts := make([]string, len(pk))
	for i, v := range pk {
		parts[i] = keyText(v)
	}
	return strings.Join(parts, ",")
}

func keyText(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case string:
		return x
	}
	return fmt.Sprint(v)
}
