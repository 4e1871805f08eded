// Package auth checks the admin API's bearer tokens and the role each call
// needs.
//
// Tokens are never stored: an admin_token block holds the SHA-256 of its
// token, and a presented token is hashed and compared with every configured
// hash in constant time, with no early exit, so neither timing nor the order
// of the blocks tells which hash was close or which token matched.
//
// Roles are ordered: a viewer reads, an operator also acts on requests and
// integrations, an admin also reloads the configuration. The Connect
// interceptor built by NewInterceptor looks up the role a procedure needs,
// answers unauthenticated for a missing or unknown token and
// permission_denied for too small a role, and otherwise puts the token's
// Principal in the context, where handlers read its name as the actor
// recorded in request history.
package auth
