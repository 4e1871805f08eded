// Package fakeheap is a stand-in for Heap's public User Deletion API, as
// Heap documents it at https://developers.heap.io/reference/user-deletion.
//
// It enforces the documented contract so that a connector which passes its
// tests talks to Heap correctly: HTTP Basic auth with the Main Production
// environment's app id on POST /api/public/v0/auth_token, short-lived bearer
// tokens, the body shape of POST /api/public/v0/user_deletion (a non-empty
// "users" list of at most 10,000 objects with exactly one of "identity" or
// "user_id"), deletion requests that answer "pending" and then "complete" on
// GET /api/public/v0/deletion_status/{id}, and a leaky-bucket rate limit
// answering 429 with Retry-After.
//
// Its clock is controllable (Config.Clock and [Server.Advance]) so token
// expiry and rate limits are tested without sleeping, and one-shot faults
// ([Server.Fail]) inject the answers a real Heap gives on bad days. A
// [Server] is an http.Handler: tests serve it with net/http/httptest, the
// dev-mode demo with any http.Server.
package fakeheap
