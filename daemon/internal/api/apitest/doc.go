// Package apitest starts the admin API on a real 127.0.0.1 listener for
// tests, with three admin tokens (viewer, operator, admin), HTTP clients for
// HTTP/1.1 and h2c, and FakeEngine and FakeInventory: structs of function
// fields whose nil fields answer with canned data, so a test sets only the
// behaviour it is about.
package apitest
