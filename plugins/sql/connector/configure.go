package connector

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// validateReach bounds how long `dsrhost validate` waits for a database
// before checking the dataset offline only.
const validateReach = 5 * time.Second

// Configure validates the settings, then checks the dataset against the
// database: every table and column must exist, every table needs a
// primary key, and the connection's user needs the privileges the dataset
// uses. With ValidateOnly (dsrhost validate) a database that cannot be
// reached is a warning, not an error, so validation still works offline,
// and nothing is installed. Settings that fail leave the previous
// configuration in place.
func (c *SQL) Configure(ctx context.Context, req *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	s, diags := parseSettings(req.Settings)
	resp := &sdk.ConfigureResponse{Diagnostics: diags}
	if s == nil {
		return resp, nil
	}
	d := dialects[s.Driver]
	db, err := d.open(s.DSN, s.StatementTimeout)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, sdk.AttributeError([]string{settingDSN}, "Invalid database DSN",
			fmt.Sprintf("The dsn cannot be used with driver %q: %v.", s.Driver, err)))
		return resp, nil
	}
	db.SetMaxOpenConns(s.PoolSize)
	db.SetMaxIdleConns(s.PoolSize)
	db.SetConnMaxIdleTime(5 * time.Minute)

	checkCtx, cancel := context.WithTimeout(ctx, s.StatementTimeout)
	if req.ValidateOnly {
		cancel()
		checkCtx, cancel = context.WithTimeout(ctx, min(s.StatementTimeout, validateReach))
	}
	defer cancel()
	if err := db.PingContext(checkCtx); err != nil {
		_ = db.Close()
		e := classify(err, d, "connect to the database")
		if req.ValidateOnly {
			resp.Diagnostics = append(resp.Diagnostics, sdk.Diagnostic{Severity: sdk.SeverityWarning, Path: []string{settingDSN},
				Summary: "Database not checked",
				Detail: fmt.Sprintf("The database could not be reached (%s), so its tables, columns and grants were not checked; "+
					"the daemon checks them when it starts.", e.Message)})
			return resp, nil
		}
		resp.Diagnostics = append(resp.Diagnostics, sdk.CredentialError([]string{settingDSN}, e))
		return resp, nil
	}
	cat, cdiags, err := c.checkDatabase(checkCtx, s, d, db)
	if err != nil {
		_ = db.Close()
		resp.Diagnostics = append(resp.Diagnostics, sdk.CredentialError([]string{settingDSN}, classify(err, d, "read the database's catalogue")))
		return resp, nil
	}
	resp.Diagnostics = append(resp.Diagnostics, cdiags...)
	if req.ValidateOnly || resp.HasErrors() {
		_ = db.Close()
		return resp, nil
	}
	c.install(req.Integration, &integration{s: s, d: d, db: db, cat: cat})
	return resp, nil
}

// checkDatabase checks the dataset's names against the catalogue, then the
// privileges of each table whose names are right.
func (c *SQL) checkDatabase(ctx context.Context, s *settings, d dialect, db *sql.DB) (catalog, []sdk.Diagnostic, error) {
	cat, err := d.catalog(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	diags := checkDataset(s.Dataset, cat)
	wrong := map[string]bool{} // table blocks with a wrong name of their own
	for _, d := range diags {
		if len(d.Path) >= 2 {
			wrong[d.Path[1]] = true
		}
	}
	for _, t := range s.Dataset.tables {
		if wrong[strconv.Itoa(t.Index)] {
			continue
		}
		n := need{table: t.Name, privs: []string{privSelect}}
		switch t.Erase {
		case eraseDelete:
			n.privs = append(n.privs, privDelete)
		case eraseMask:
			n.privs = append(n.privs, privUpdate)
			for _, m := range t.Mask {
				n.columns = append(n.columns, m.Column)
			}
		}
		missing, err := d.missing(ctx, db, n)
		if err != nil {
			return nil, nil, err
		}
		if len(missing) > 0 {
			diags = append(diags, sdk.Diagnostic{Severity: sdk.SeverityError, Path: t.path(),
				Summary: "Missing privilege",
				Detail: fmt.Sprintf("The database user lacks %s on table %q, which this table block needs; grant it, for example: GRANT %s ON %s TO the connector's user.",
					strings.Join(missing, " and "), t.Name, strings.Join(n.privs, ", "), t.Name),
				Err: sdk.Errorf(sdk.ErrorPermission, "missing %s on table %q", strings.Join(missing, ", "), t.Name)})
		}
	}
	return cat, diags, nil
}
