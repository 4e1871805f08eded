package connector

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// sqliteDialect is SQLite through modernc.org/sqlite, which needs no cgo.
type sqliteDialect struct{}

func (sqliteDialect) label() string { return "SQLite" }

// open refuses a path with no database: opening it would create an empty
// one, and every table would then be reported missing.
func (sqliteDialect) open(dsn string, connectTimeout time.Duration) (*sql.DB, error) {
	path := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" || path == ":memory:" {
		return nil, errors.New("no SQLite database file named")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, errors.New("no SQLite database at the dsn's path")
	}
	if !strings.Contains(dsn, "busy_timeout") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += fmt.Sprintf("%s_pragma=busy_timeout(%d)", sep, connectTimeout.Milliseconds())
	}
	return sql.Open("sqlite", dsn)
}

func (sqliteDialect) quote(name string) string { return quoteWith(`"`, name) }

func (sqliteDialect) placeholder(int) string { return "?" }

// lockRows is empty: SQLite has no row locks; its write lock, taken by the
// first write, serialises erasures.
func (sqliteDialect) lockRows() string { return "" }

func (sqliteDialect) catalog(ctx context.Context, db *sql.DB) (catalog, error) {
	var tables []string
	err := eachRow(ctx, db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", nil,
		func(rows *sql.Rows) error {
			var name string
			err := rows.Scan(&name)
			tables = append(tables, name)
			return err
		})
	if err != nil {
		return nil, err
	}
	cat := catalog{}
	for _, tbl := range tables {
		info := &tableInfo{}
		pks := map[int]string{}
		err := eachRow(ctx, db, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, []any{tbl},
			func(rows *sql.Rows) error {
				var c columnInfo
				var typ string
				var notNull bool
				var pk int
				if err := rows.Scan(&c.Name, &typ, &notNull, &pk); err != nil {
					return err
				}
				c.Class, c.Nullable, c.textDates = sqliteClass(typ), !notNull, true
				info.Columns = append(info.Columns, c)
				if pk > 0 {
					pks[pk] = c.Name
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
		for i := 1; i <= len(pks); i++ {
			info.PK = append(info.PK, pks[i])
		}
		cat[tbl] = info
	}
	return cat, nil
}

// sqliteClass follows SQLite's type affinity rules, with dates told apart
// by their declared type.
func sqliteClass(typ string) typeClass {
	t := strings.ToUpper(typ)
	switch {
	case strings.Contains(t, "INT"):
		return classInteger
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return classText
	case strings.Contains(t, "DATETIME"), strings.Contains(t, "TIMESTAMP"):
		return classTimestamp
	case strings.Contains(t, "DATE"):
		return classDate
	}
	return classOther
}

// missing: SQLite has no grants; a connection set query_only cannot write.
func (sqliteDialect) missing(ctx context.Context, db *sql.DB, n need) ([]string, error) {
	var queryOnly bool
	if err := db.QueryRowContext(ctx, "PRAGMA query_only").Scan(&queryOnly); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range n.privs {
		if p != privSelect && queryOnly {
			out = append(out, p)
		}
	}
	return out, nil
}
