// Package dbtest starts real PostgreSQL and MariaDB servers for tests,
// from the Debian packages' binaries (postgresql-15, mariadb-server), on
// free loopback ports in temporary directories.
//
// Each server starts once per test binary, on first use; [Main] stops
// them when the package's tests end, and each test gets its own database
// from [Server.NewDatabase], dropped with t.Cleanup. A missing binary fails
// the test, unless the run is `go test -short` without DSRHOST_REQUIRE_DB
// set, which skips it.
//
// PostgreSQL refuses to run as root: as root, the server runs as the
// "postgres" user the Debian package creates (or "nobody").
package dbtest
