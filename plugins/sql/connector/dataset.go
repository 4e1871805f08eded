package connector

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/dsrhost/dsrhost/sdk"
)

// eraseMode is what erasure does to a table's rows.
type eraseMode string

const (
	eraseDelete eraseMode = "delete"
	eraseMask   eraseMode = "mask"
	eraseNone   eraseMode = "none"
)

// dataset is the declared graph of tables, in walking order: every table
// comes after the tables its references follow.
type dataset struct {
	tables []*table
	byName map[string]*table
}

// table is one table block.
type table struct {
	Name string
	// Index is the block's position among the table blocks, for paths.
	Index       int
	Identity    []identityColumn
	Columns     []string // access columns; nil for all
	Identifiers []exportedIdentifier
	Erase       eraseMode
	Mask        []maskRule
	References  []reference
}

type identityColumn struct{ Column, Identifier string }

type exportedIdentifier struct{ Identifier, Column string }

// reference says: this table's Column holds the value of Table.To of a
// row already found.
type reference struct {
	Index             int
	Column, Table, To string
}

func (t *table) path(more ...string) []string {
	return append([]string{blockTable, strconv.Itoa(t.Index)}, more...)
}

func (r reference) path(t *table, attr string) []string {
	return t.path(blockReference, strconv.Itoa(r.Index), attr)
}

func (ds *dataset) usesHash() bool {
	for _, t := range ds.tables {
		for _, m := range t.Mask {
			if m.Strategy.kind == strategyHash {
				return true
			}
		}
	}
	return false
}

// parseDataset checks each table block on its own, then the graph.
func parseDataset(raw []rawTable) (*dataset, []sdk.Diagnostic) {
	var diags []sdk.Diagnostic
	if len(raw) == 0 {
		return nil, []sdk.Diagnostic{sdk.AttributeError([]string{blockTable}, "No tables",
			"Declare at least one table block: the tables holding the subject's rows.")}
	}
	ds := &dataset{byName: map[string]*table{}}
	var declared []*table
	for i, rt := range raw {
		t, ds1 := parseTable(i, rt)
		diags = append(diags, ds1...)
		if t == nil {
			continue
		}
		if first, dup := ds.byName[t.Name]; dup {
			diags = append(diags, sdk.AttributeError(t.path(tableName), "Duplicate table",
				fmt.Sprintf("Table %q is already declared by table block %d; merge the two blocks.", t.Name, first.Index+1)))
			continue
		}
		ds.byName[t.Name] = t
		declared = append(declared, t)
	}
	diags = append(diags, checkReferences(ds.byName, declared)...)
	if hasErrors(diags) {
		return nil, diags
	}
	order, gdiags := walkOrder(declared, ds.byName)
	diags = append(diags, gdiags...)
	if hasErrors(diags) {
		return nil, diags
	}
	ds.tables = order
	return ds, diags
}

func parseTable(i int, rt rawTable) (*table, []sdk.Diagnostic) {
	t := &table{Name: rt.Name, Index: i, Columns: rt.Columns, Erase: eraseMode(rt.Erase)}
	var diags []sdk.Diagnostic
	bad := func(path []string, summary, detail string) {
		diags = append(diags, sdk.AttributeError(path, summary, detail))
	}
	if !validName(rt.Name) {
		bad(t.path(tableName), "Invalid table name",
			"name must be a table name of letters, digits and underscores, not starting with a digit.")
	}
	for _, col := range slices.Sorted(maps.Keys(rt.Identity)) {
		t.Identity = append(t.Identity, identityColumn{Column: col, Identifier: rt.Identity[col]})
		if strings.TrimSpace(rt.Identity[col]) == "" {
			bad(t.path(tableIdentity, col), "Empty identifier",
				`Each identity column names a subject identifier: "email", "phone", "user_id" or a further identifier's key.`)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(rt.Identifiers)) {
		t.Identifiers = append(t.Identifiers, exportedIdentifier{Identifier: id, Column: rt.Identifiers[id]})
	}
	for j, rr := range rt.References {
		ref := reference{Index: j, Column: rr.Column}
		tbl, col, ok := strings.Cut(rr.References, ".")
		if !ok || !validName(tbl) || !validName(col) {
			bad(ref.path(t, referenceReferences), "Invalid reference",
				`references must name the referenced table and column as "table.column", such as "users.id".`)
		}
		ref.Table, ref.To = tbl, col
		t.References = append(t.References, ref)
	}
	switch t.Erase {
	case eraseDelete, eraseNone:
		if len(rt.Mask) > 0 {
			bad(t.path(tableMask), "Mask without erase = \"mask\"",
				fmt.Sprintf(`This table's erase is %q, so its mask would never apply; set erase = "mask" or remove the mask.`, t.Erase))
		}
	case eraseMask:
		if len(rt.Mask) == 0 {
			bad(t.path(tableMask), "Missing mask",
				`erase = "mask" needs a mask map: column = strategy, such as mask = { email = "hash", name = "null" }.`)
		}
	default:
		bad(t.path(tableErase), "Invalid erase",
			`erase must be "delete", "mask" (with a mask map) or "none" (rows are only read).`)
	}
	for _, col := range slices.Sorted(maps.Keys(rt.Mask)) {
		st, err := parseStrategy(rt.Mask[col])
		if err != "" {
			bad(t.path(tableMask, col), "Invalid mask strategy", err)
			continue
		}
		t.Mask = append(t.Mask, maskRule{Column: col, Strategy: st})
	}
	return t, diags
}

// checkReferences reports references to tables the dataset does not
// declare: the walk could not know their rows.
func checkReferences(byName map[string]*table, declared []*table) []sdk.Diagnostic {
	var diags []sdk.Diagnostic
	for _, t := range declared {
		for _, r := range t.References {
			if r.Table == "" {
				continue
			}
			if _, ok := byName[r.Table]; !ok {
				diags = append(diags, sdk.AttributeError(r.path(t, referenceReferences), "Unknown table in reference",
					fmt.Sprintf("Table %q is not declared in this dataset; add a table block for it, so its rows are found first.", r.Table)))
			}
		}
	}
	return diags
}

// walkOrder sorts tables so each comes after the tables it references,
// reporting a cycle at the reference that closes it and every table no
// identity column reaches.
func walkOrder(declared []*table, byName map[string]*table) ([]*table, []sdk.Diagnostic) {
	const (
		unseen = iota
		visiting
		done
	)
	state := map[string]int{}
	var order []*table
	var diags []sdk.Diagnostic
	var visit func(t *table, stack []string)
	visit = func(t *table, stack []string) {
		state[t.Name] = visiting
		stack = append(slices.Clone(stack), t.Name)
		for _, r := range t.References {
			parent := byName[r.Table]
			switch state[parent.Name] {
			case visiting:
				cycle := append(slices.Clone(stack[slices.Index(stack, parent.Name):]), parent.Name)
				diags = append(diags, sdk.AttributeError(r.path(t, referenceReferences), "Reference cycle",
					fmt.Sprintf("The references form a cycle (%s); the walk from the identities would never end, "+
						"and could reach other people's rows. Remove one of these references.", strings.Join(cycle, " -> "))))
			case unseen:
				visit(parent, stack)
			}
		}
		state[t.Name] = done
		order = append(order, t)
	}
	for _, t := range declared {
		if state[t.Name] == unseen {
			visit(t, nil)
		}
	}
	if len(diags) > 0 {
		return nil, diags
	}
	reached := map[string]bool{}
	for _, t := range order {
		ok := len(t.Identity) > 0
		for _, r := range t.References {
			ok = ok || reached[r.Table]
		}
		reached[t.Name] = ok
		if !ok {
			diags = append(diags, sdk.AttributeError(t.path(), "Table not reachable from an identity",
				fmt.Sprintf("No identity column of table %q, and no reference to a table reached from one, leads to its rows; "+
					"give it an identity map or a reference block.", t.Name)))
		}
	}
	return order, diags
}

// validName accepts plain SQL identifiers. Names are also checked against
// the database's catalogue before use; this rule keeps diagnostics and
// quoting simple.
func validName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
