package connector

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// Privileges a dataset needs of a table.
const (
	privSelect = "SELECT"
	privUpdate = "UPDATE"
	privDelete = "DELETE"
)

// need is the privileges a table block needs, with the columns UPDATE
// touches.
type need struct {
	table   string
	privs   []string
	columns []string // for UPDATE
}

// dialect is what differs between the databases.
type dialect interface {
	// open connects lazily; an error means the dsn cannot be parsed.
	open(dsn string, connectTimeout time.Duration) (*sql.DB, error)
	// quote quotes a name already checked against the catalogue.
	quote(name string) string
	// placeholder is the n-th (1-based) parameter.
	placeholder(n int) string
	// lockRows is appended to the SELECTs of an erasure; "" when the
	// database locks otherwise.
	lockRows() string
	// catalog reads the tables of the connection's default schema.
	catalog(ctx context.Context, db *sql.DB) (catalog, error)
	// missing returns the privileges of n the connection's user lacks.
	missing(ctx context.Context, db *sql.DB, n need) ([]string, error)
	// label names the database in messages.
	label() string
}

var dialects = map[string]dialect{
	"postgres": postgres{},
	"mysql":    mysqlDialect{},
	"sqlite":   sqliteDialect{},
}

// quoteWith doubles q inside q, as SQL quotes identifiers.
func quoteWith(q, name string) string {
	return q + strings.ReplaceAll(name, q, q+q) + q
}
