// Package testprereq is the one rule for tests that need something
// installed on the machine (redis-server, Chromium, PostgreSQL, MariaDB,
// npm): such a test fails when it is missing, and is skipped only when the
// quick subset was asked for (`go test -short`, `make test-unit`).
//
// `make test` installs everything first (.ci/provision), so a full run
// skips nothing; a developer without redis-server who runs `go test ./...`
// learns so from a failure that names the package to install, rather than
// from a green run that tested nothing.
package testprereq
