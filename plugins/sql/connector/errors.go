package connector

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dsrhost/dsrhost/sdk"
)

// classify turns a database failure into an *sdk.Error. Messages carry the
// database's error code and the step, never the server's own text: it can
// quote row values ("Key (email)=(...)") and so personal data.
func classify(err error, d dialect, doing string) *sdk.Error {
	var e *sdk.Error
	if errors.As(err, &e) {
		return e
	}
	where := stepOf(err)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return sdk.Errorf(sdk.ErrorTimeout, "%s did not answer in time to %s%s", d.label(), doing, where).
			WithRemediation("Raise statement_timeout (or the integration's call_timeout), or index the identity and reference columns.")
	case errors.Is(err, context.Canceled):
		return sdk.Errorf(sdk.ErrorTimeout, "the job was cancelled while waiting for %s to %s%s", d.label(), doing, where)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return fromCode(d, doing, where, pe.Code, pgType(pe.Code))
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return fromCode(d, doing, where, fmt.Sprint(me.Number), mysqlType(me.Number))
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return fromCode(d, doing, where, fmt.Sprint(se.Code()), sqliteType(se.Code()))
	}
	if lostConnection(err) {
		return sdk.Errorf(sdk.ErrorUnavailable, "lost the connection to %s while trying to %s%s; nothing was committed", d.label(), doing, where).
			WithRemediation("Check that the database is running and reachable; the job is retried.")
	}
	return sdk.Errorf(sdk.ErrorInternal, "%s failed to %s%s", d.label(), doing, where)
}

// stepOf is the connector's own context of err ("find rows of table
// \"orders\""), which names no value.
func stepOf(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i > 0 && (strings.HasPrefix(msg, "find rows of table") || strings.HasPrefix(msg, "erase rows of table") ||
		strings.HasPrefix(msg, "begin") || strings.HasPrefix(msg, "commit")) {
		return " (" + msg[:i] + ")"
	}
	return ""
}

func fromCode(d dialect, doing, where, code string, t sdk.ErrorType) *sdk.Error {
	e := sdk.Errorf(t, "%s error %s while trying to %s%s", d.label(), code, doing, where)
	switch t {
	case sdk.ErrorAuth:
		e.Remediation = "Check the user name and password in dsn."
	case sdk.ErrorPermission:
		e.Remediation = "Grant the connector's user SELECT on every table of the dataset, and DELETE or UPDATE on the tables it erases; dsrhost validate lists what is missing."
	case sdk.ErrorInvalidConfig:
		e.Remediation = "The database no longer matches the dataset (a table or column changed, or a row another table references would be deleted); fix the dataset or the schema, then retry."
	case sdk.ErrorUnavailable:
		e.Remediation = "The database is down, restarting or busy; the job is retried."
	case sdk.ErrorTimeout:
		e.Remediation = "A lock or a slow statement held the job; the job is retried. Raise statement_timeout if it keeps happening."
	}
	return e
}

// pgType maps a SQLSTATE to an error type.
func pgType(code string) sdk.ErrorType {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"), code == "57P01", code == "57P02", code == "57P03",
		code == "40001", code == "40P01":
		return sdk.ErrorUnavailable
	case code == "57014", code == "55P03":
		return sdk.ErrorTimeout
	case code == "42501":
		return sdk.ErrorPermission
	case strings.HasPrefix(code, "28"):
		return sdk.ErrorAuth
	case code == "42P01", code == "42703", code == "3D000", code == "3F000", strings.HasPrefix(code, "23"):
		return sdk.ErrorInvalidConfig
	}
	return sdk.ErrorInternal
}

// mysqlType maps a MySQL error number to an error type.
func mysqlType(n uint16) sdk.ErrorType {
	switch n {
	case 1045, 1698:
		return sdk.ErrorAuth
	case 1044, 1142, 1143, 1227:
		return sdk.ErrorPermission
	case 1049, 1054, 1146, 1451, 1452:
		return sdk.ErrorInvalidConfig
	case 1205, 3024:
		return sdk.ErrorTimeout
	case 1040, 1053, 1213, 2002, 2003, 2006, 2013:
		return sdk.ErrorUnavailable
	}
	return sdk.ErrorInternal
}

// sqliteType maps a SQLite result code to an error type.
func sqliteType(code int) sdk.ErrorType {
	switch code & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR:
		return sdk.ErrorUnavailable
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH:
		return sdk.ErrorPermission
	case sqlite3.SQLITE_CONSTRAINT:
		return sdk.ErrorInvalidConfig
	}
	return sdk.ErrorInternal
}

// lostConnection reports failures of the connection rather than of the
// statement: the server went away, refused, or closed mid-transaction.
func lostConnection(err error) bool {
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) ||
		errors.As(err, &ne) || errors.As(err, &ce) || pgconn.SafeToRetry(err) ||
		strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "connection refused")
}
