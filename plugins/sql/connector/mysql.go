package connector

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/dsrhost/dsrhost/sdk"
)

// mysqlDialect is MySQL and MariaDB through go-sql-driver/mysql.
type mysqlDialect struct{}

func (mysqlDialect) label() string { return "MySQL" }

func (mysqlDialect) open(dsn string, connectTimeout time.Duration) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse MySQL dsn") // the error may quote the password
	}
	// Dates must arrive as time.Time to be truncated; names are compared
	// as written.
	cfg.ParseTime = true
	if cfg.Timeout == 0 {
		cfg.Timeout = connectTimeout
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("configure MySQL connection")
	}
	return sql.OpenDB(conn), nil
}

func (mysqlDialect) quote(name string) string { return quoteWith("`", name) }

func (mysqlDialect) placeholder(int) string { return "?" }

func (mysqlDialect) lockRows() string { return " FOR UPDATE" }

const mysqlColumns = `
SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, IS_NULLABLE = 'YES',
       CASE WHEN CHARACTER_MAXIMUM_LENGTH < 16777216 THEN CHARACTER_MAXIMUM_LENGTH ELSE 0 END
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, ORDINAL_POSITION`

const mysqlPrimaryKeys = `
SELECT TABLE_NAME, COLUMN_NAME
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'PRIMARY'
ORDER BY TABLE_NAME, SEQ_IN_INDEX`

func (mysqlDialect) catalog(ctx context.Context, db *sql.DB) (catalog, error) {
	return readCatalog(ctx, db, mysqlColumns, mysqlPrimaryKeys, mysqlClass)
}

func mysqlClass(typ string) typeClass {
	switch strings.ToLower(typ) {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		return classText
	case "tinyint", "smallint", "mediumint", "int", "bigint":
		return classInteger
	case "date":
		return classDate
	case "datetime", "timestamp":
		return classTimestamp
	}
	return classOther
}

// missing runs each statement the dataset needs on no rows (WHERE 1 = 0)
// in a transaction rolled back: MySQL checks table and column grants,
// roles included, before it looks for rows, and has no statement-level
// triggers to fire.
func (d mysqlDialect) missing(ctx context.Context, db *sql.DB, n need) ([]string, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	var out []string
	for _, priv := range n.privs {
		var stmt string
		switch priv {
		case privSelect:
			stmt = "SELECT 1 FROM " + d.quote(n.table) + " WHERE 1 = 0"
		case privDelete:
			stmt = "DELETE FROM " + d.quote(n.table) + " WHERE 1 = 0"
		case privUpdate:
			sets := make([]string, len(n.columns))
			for i, c := range n.columns {
				sets[i] = d.quote(c) + " = " + d.quote(c)
			}
			stmt = "UPDATE " + d.quote(n.table) + " SET " + strings.Join(sets, ", ") + " WHERE 1 = 0"
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			var me *mysql.MySQLError
			if errors.As(err, &me) && (me.Number == 1142 || me.Number == 1143) {
				out = append(out, priv)
				continue
			}
			return nil, err
		}
	}
	return out, nil
}

// The driver logs connection failures on its own; they reach the daemon's
// log under the plugin's name at debug level instead of as bare stderr.
func init() {
	_ = mysql.SetLogger(mysqlLogger{})
}

type mysqlLogger struct{}

func (mysqlLogger) Print(v ...any) { sdk.Logger().Named("mysql").Debug(fmt.Sprint(v...)) }
