package connector

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// postgres is PostgreSQL through pgx.
type postgres struct{}

func (postgres) label() string { return "PostgreSQL" }

func (postgres) open(dsn string, connectTimeout time.Duration) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse PostgreSQL dsn") // the error may quote the password
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	return stdlib.OpenDB(*cfg), nil
}

func (postgres) quote(name string) string { return pgx.Identifier{name}.Sanitize() }

func (postgres) placeholder(n int) string { return fmt.Sprintf("$%d", n) }

func (postgres) lockRows() string { return " FOR UPDATE" }

// pgColumns reads columns from pg_catalog rather than information_schema,
// which hides what the user has no privilege on: a missing grant is then
// reported as such, not as a missing table.
const pgColumns = `
SELECT c.relname, a.attname, t.typname, NOT a.attnotnull,
       CASE WHEN t.typname IN ('varchar', 'bpchar') AND a.atttypmod > 4 THEN a.atttypmod - 4 ELSE 0 END
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`

const pgPrimaryKeys = `
SELECT c.relname, a.attname
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
WHERE i.indisprimary AND n.nspname = current_schema()
ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)`

func (postgres) catalog(ctx context.Context, db *sql.DB) (catalog, error) {
	return readCatalog(ctx, db, pgColumns, pgPrimaryKeys, pgClass)
}

func pgClass(typ string) typeClass {
	switch typ {
	case "text", "varchar", "bpchar", "citext", "name":
		return classText
	case "int2", "int4", "int8":
		return classInteger
	case "date":
		return classDate
	case "timestamp", "timestamptz":
		return classTimestamp
	}
	return classOther
}

// missing asks PostgreSQL itself, which accounts for roles and column
// grants, without running any statement on the table.
func (p postgres) missing(ctx context.Context, db *sql.DB, n need) ([]string, error) {
	var out []string
	qualified := "quote_ident(current_schema()) || '.' || quote_ident($1)"
	for _, priv := range n.privs {
		var ok bool
		var err error
		if priv == privUpdate {
			ok = true
			for _, col := range n.columns {
				var colOK bool
				err = db.QueryRowContext(ctx, "SELECT has_column_privilege("+qualified+", $2, 'UPDATE')", n.table, col).Scan(&colOK)
				if err != nil {
					break
				}
				ok = ok && colOK
			}
		} else {
			err = db.QueryRowContext(ctx, "SELECT has_table_privilege("+qualified+", $2)", n.table, priv).Scan(&ok)
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			out = append(out, priv)
		}
	}
	return out, nil
}
