// Package demodb creates the small SQLite shop database dev mode points
// its sql integration at: customers, their orders and support tickets,
// for the demo subject ada@example.com and two other people.
package demodb

import (
	"database/sql"
	"fmt"

	_ "modernc.org/sqlite" // the "sqlite" driver, pure Go
)

// Subject is the demo subject's email.
const Subject = "ada@example.com"

// Integration is the dev-mode integration block for a database at %q
// (the path, formatted in): customers are masked, orders kept with their
// shipping address removed, tickets deleted.
const Integration = `
integration "shop-db" {
  plugin   = "sql"
  category = "Production database"
  settings {
    driver   = "sqlite"
    dsn      = %q
    hash_key = "dev-mode-hash-key-protects-nothing"

    table {
      name        = "customers"
      identity    = { email = "email" }
      identifiers = { shop_customer_id = "id" }
      erase       = "mask"
      mask        = { email = "hash", name = "fixed:Deleted customer", phone = "null", birth_date = "truncate:year" }
    }
    table {
      name  = "orders"
      erase = "mask"
      mask  = { shipping_address = "null" }
      reference {
        column     = "customer_id"
        references = "customers.id"
      }
    }
    table {
      name     = "support_tickets"
      identity = { email = "email" }
      erase    = "delete"
      reference {
        column     = "order_id"
        references = "orders.id"
      }
    }
  }
}
`

var statements = []string{
	`CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, phone TEXT, birth_date DATE)`,
	`CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id), total_cents INTEGER NOT NULL,
		shipping_address TEXT, placed_at DATETIME NOT NULL)`,
	`CREATE TABLE support_tickets (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders (id), email TEXT, subject TEXT)`,
	`INSERT INTO customers VALUES (1, 'ada@example.com', 'Ada Lovelace', '+44 20 7946 0001', '1815-12-10'),
		(2, 'bob@example.com', 'Bob Babbage', '+44 20 7946 0002', '1791-12-26'),
		(3, 'cyd@example.com', 'Cyd Charisse', NULL, '1922-03-08')`,
	`INSERT INTO orders VALUES (10, 1, 12000, '12 St James Square, London', '2024-03-15 10:30:00'),
		(11, 1, 800, 'Ockham Park, Surrey', '2024-05-02 18:00:00'),
		(20, 2, 5000, '1 Dorset Street, London', '2024-04-01 09:00:00')`,
	`INSERT INTO support_tickets VALUES (100, 10, 'ada@example.com', 'Where is my order?'),
		(101, NULL, 'ada@example.com', 'Please delete my account'),
		(200, 20, 'bob@example.com', 'Refund')`,
}

// Create writes the demo database at path, which must not exist yet.
func Create(path string) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return fmt.Errorf("create demo database: %w", err)
	}
	defer db.Close()
	for _, s := range statements {
		if _, err := db.Exec(s); err != nil {
			return fmt.Errorf("create demo database: %w", err)
		}
	}
	return db.Close()
}
