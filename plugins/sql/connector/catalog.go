package connector

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/dsrhost/dsrhost/sdk"
)

// typeClass is what the connector needs to know of a column's type.
type typeClass int

const (
	classOther typeClass = iota
	classText
	classInteger
	classDate
	classTimestamp
)

func (c typeClass) String() string {
	switch c {
	case classText:
		return "text"
	case classInteger:
		return "integer"
	case classDate:
		return "date"
	case classTimestamp:
		return "timestamp"
	}
	return "other"
}

// columnInfo is one column as the database's catalogue describes it.
type columnInfo struct {
	Name     string
	Class    typeClass
	Nullable bool
	// MaxLen is the most characters a text column holds; 0 for no limit.
	MaxLen int
	// textDates: the database keeps dates as text (SQLite), so masked
	// dates are written back as text.
	textDates bool
}

// fit bounds a generated string's length by the column's.
func (c columnInfo) fit(n int) int {
	if c.MaxLen > 0 && c.MaxLen < n {
		return c.MaxLen
	}
	return n
}

// tableInfo is one table as the catalogue describes it.
type tableInfo struct {
	Columns []columnInfo
	PK      []string
}

func (t *tableInfo) column(name string) (columnInfo, bool) {
	i := slices.IndexFunc(t.Columns, func(c columnInfo) bool { return c.Name == name })
	if i < 0 {
		return columnInfo{}, false
	}
	return t.Columns[i], true
}

func (t *tableInfo) names() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// catalog is the tables of the connection's default schema.
type catalog map[string]*tableInfo

// checkDataset reports every name of the dataset the catalogue does not
// have, and every mask a column cannot take, at the setting naming it.
func checkDataset(ds *dataset, cat catalog) []sdk.Diagnostic {
	var diags []sdk.Diagnostic
	bad := func(path []string, summary, detail string) {
		diags = append(diags, sdk.AttributeError(path, summary, detail))
	}
	for _, t := range ds.tables {
		info, ok := cat[t.Name]
		if !ok {
			bad(t.path(tableName), "Table not found",
				fmt.Sprintf("The database has no table %q in the connection's default schema, or the connection's user cannot see it.", t.Name))
			continue
		}
		if len(info.PK) == 0 {
			bad(t.path(tableName), "Table has no primary key",
				fmt.Sprintf("Table %q has no primary key; the connector erases rows by their primary key. Add one.", t.Name))
		}
		col := func(path []string, name, role string) (columnInfo, bool) {
			c, ok := info.column(name)
			if !ok {
				bad(path, "Column not found",
					fmt.Sprintf("Table %q has no column %q (named as %s); it has %s.", t.Name, name, role, strings.Join(info.names(), ", ")))
			}
			return c, ok
		}
		for _, id := range t.Identity {
			col(t.path(tableIdentity, id.Column), id.Column, "an identity column")
		}
		for i, c := range t.Columns {
			col(t.path(tableColumns, fmt.Sprint(i)), c, "an access column")
		}
		for _, e := range t.Identifiers {
			col(t.path(tableIdentifiers, e.Identifier), e.Column, "the column of identifier "+e.Identifier)
		}
		for _, r := range t.References {
			col(r.path(t, referenceColumn), r.Column, "a reference column")
			if pinfo, ok := cat[r.Table]; ok {
				if _, ok := pinfo.column(r.To); !ok {
					bad(r.path(t, referenceReferences), "Column not found",
						fmt.Sprintf("Table %q has no column %q; it has %s.", r.Table, r.To, strings.Join(pinfo.names(), ", ")))
				}
			}
		}
		for _, m := range t.Mask {
			if c, ok := col(t.path(tableMask, m.Column), m.Column, "a masked column"); ok {
				if problem := maskProblem(m, c, info, ds, t); problem != "" {
					bad(t.path(tableMask, m.Column), "Column cannot take this mask", problem)
				}
			}
		}
	}
	return diags
}

// maskProblem says why a strategy cannot mask a column; "" when it can.
func maskProblem(m maskRule, c columnInfo, info *tableInfo, ds *dataset, t *table) string {
	if slices.Contains(info.PK, c.Name) {
		return fmt.Sprintf("Column %q is part of the primary key, by which rows are erased; delete the rows instead.", c.Name)
	}
	for _, child := range ds.tables {
		for _, r := range child.References {
			if r.Table == t.Name && r.To == c.Name {
				return fmt.Sprintf("Table %q references rows through column %q; masking it would lose them. Mask other columns.", child.Name, c.Name)
			}
		}
	}
	switch m.Strategy.kind {
	case strategyNull:
		if !c.Nullable {
			return fmt.Sprintf("Column %q is NOT NULL; use another strategy, such as \"fixed:...\".", c.Name)
		}
	case strategyFixed:
		if c.Class != classText && c.Class != classInteger {
			return fmt.Sprintf("A fixed value masks text and integer columns; column %q is of type %s.", c.Name, c.Class)
		}
		if c.MaxLen > 0 && len([]rune(m.Strategy.fixed)) > c.MaxLen {
			return fmt.Sprintf("The fixed value is longer than column %q holds (%d characters).", c.Name, c.MaxLen)
		}
	case strategyHash, strategyRandom:
		if c.Class != classText {
			return fmt.Sprintf("The %q strategy writes text; column %q is of type %s.", m.Strategy.kind, c.Name, c.Class)
		}
		if c.MaxLen > 0 && c.MaxLen < 8 {
			return fmt.Sprintf("Column %q holds at most %d characters, too few for a %s value.", c.Name, c.MaxLen, m.Strategy.kind)
		}
	case strategyTruncate:
		if c.Class != classDate && c.Class != classTimestamp {
			return fmt.Sprintf("Date truncation masks date and timestamp columns; column %q is of type %s.", c.Name, c.Class)
		}
	}
	return ""
}

// readCatalog reads a catalogue from two queries: columns (table, column,
// type name, nullable, maximum length or 0) in order, and primary key
// columns (table, column) in key order.
func readCatalog(ctx context.Context, db *sql.DB, columns, primaryKeys string, class func(string) typeClass) (catalog, error) {
	cat := catalog{}
	err := eachRow(ctx, db, columns, nil, func(rows *sql.Rows) error {
		var tbl, typ string
		var maxLen sql.NullInt64
		c := columnInfo{}
		if err := rows.Scan(&tbl, &c.Name, &typ, &c.Nullable, &maxLen); err != nil {
			return err
		}
		c.Class, c.MaxLen = class(typ), int(maxLen.Int64)
		if c.Class != classText {
			c.MaxLen = 0
		}
		info := cat[tbl]
		if info == nil {
			info = &tableInfo{}
			cat[tbl] = info
		}
		info.Columns = append(info.Columns, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, db, primaryKeys, nil, func(rows *sql.Rows) error {
		var tbl, col string
		if err := rows.Scan(&tbl, &col); err != nil {
			return err
		}
		if info := cat[tbl]; info != nil {
			info.PK = append(info.PK, col)
		}
		return nil
	})
	return cat, err
}
