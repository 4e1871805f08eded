package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"
)

// Database is one test's own database on a Server.
type Database struct {
	Server *Server
	Name   string
	// DSN connects as the server's admin, in the connector's dsn format.
	DSN string
	// DB is an admin connection for seeding and checking, closed at cleanup.
	DB *sql.DB
}

// NewDatabase creates an empty database for the test, dropped at cleanup.
func (s *Server) NewDatabase(t testing.TB) *Database {
	t.Helper()
	s.mu.Lock()
	s.n++
	name := fmt.Sprintf("t%d", s.n)
	s.mu.Unlock()
	drop := "DROP DATABASE IF EXISTS " + name
	if s.Driver == "postgres" {
		drop += " WITH (FORCE)"
	}
	if err := execAll(s.sqlDriver(), s.admin(s.defaultDB()), drop, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	db, err := sql.Open(s.sqlDriver(), s.admin(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Close()
		_ = execAll(s.sqlDriver(), s.admin(s.defaultDB()), drop)
	})
	return &Database{Server: s, Name: name, DSN: s.admin(name), DB: db}
}

// DSNFor is the dsn of another user of this database.
func (d *Database) DSNFor(user, password string) string {
	if d.Server.Driver == "postgres" {
		return fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/%s?sslmode=disable", user, password, d.Server.Port, d.Name)
	}
	return fmt.Sprintf("%s:%s@tcp(127.0.0.1:%d)/%s", user, password, d.Server.Port, d.Name)
}

// Exec runs statements as the admin, failing the test on the first error.
func (d *Database) Exec(t testing.TB, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, s := range stmts {
		if _, err := d.DB.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func (s *Server) sqlDriver() string {
	if s.Driver == "postgres" {
		return "pgx"
	}
	return "mysql"
}

func (s *Server) defaultDB() string {
	if s.Driver == "postgres" {
		return "postgres"
	}
	return ""
}

func execAll(driver, dsn string, stmts ...string) error {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}
