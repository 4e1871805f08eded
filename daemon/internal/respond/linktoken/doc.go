// Package linktoken makes and checks the tokens of Direct Contact response
// links, `{server.public_url}/respond/{token}`.
//
// A token is the processor's only credential: whoever holds the link may
// answer for the integration it names, once. So it is signed by the daemon
// (HMAC-SHA256 under a key derived from the encryption key with HKDF, see
// [DeriveKey]), binds the request id, the integration, the workflow state
// and the attempt it was made for, and expires a grace period after the due
// date. It carries ids only, never personal data, and is URL-safe
// (base64url, no padding), so it can travel in an email and a path.
//
// Single use is the [Ledger]'s job: a mark in Redis, set with SET NX when
// an answer is accepted and kept until the token expires. Every link made
// for one wait (the first email's and each reminder's, which share request,
// workflow state, integration and attempt) has the same [Claims.ID], so
// answering through one of them spends them all. Keys carry the request id
// as a hash tag, `{id}`, so they live in the request's Redis Cluster slot.
//
// Tokens and links are bearer credentials: never log them. Claims (ids and
// an expiry) may be logged.
package linktoken
