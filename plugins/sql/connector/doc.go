// Package connector is dsrhost's SQL connector as a library: the
// dsrhost-plugin-sql binary serves it through sdk.Serve, and tests call it
// in-process.
//
// An integration's settings name a database (driver and dsn) and declare a
// dataset: table blocks whose identity columns hold a subject identifier,
// and reference blocks that follow a foreign key from rows already found to
// the rows of another table. The dataset is a graph walked from the
// identities; cycles, unknown tables and tables no identity reaches are
// settings diagnostics, and so are tables, columns and grants the database
// does not have, which Configure reads from the database's own catalogue.
//
// Access returns every row found as a record. Erasure runs in one
// transaction: it finds the rows again (locking them where the database can),
// refuses to touch anything when more than max_rows are found, then deletes
// or masks each table's rows, children before parents, and commits. Masking
// strategies are fixpoints (a masked value masked again is unchanged), so the
// same job twice changes nothing more.
//
// Values only ever travel as query parameters; table and column names are
// checked against the catalogue and quoted by the dialect.
package connector
