// Package api serves dsrhost's admin API (package dsrhost.admin.v1) with
// connect-go: one http.Handler that answers Connect (JSON or binary, so curl
// works), gRPC and gRPC-Web clients over HTTP/1.1, h2c and, when configured,
// TLS; with gRPC health and server reflection, both without a token, so
// `grpcurl -H "Authorization: Bearer $DSRHOST_TOKEN" ...` and buf curl can
// list and describe the services before calling one; and CORS for the
// browser origins server.cors_origins allows.
//
// Every call to RequestService, IntegrationService and ConfigService is
// authenticated and authorised by package auth, then its request message is
// checked against the protovalidate rules in admin.proto, so a bad call fails
// as invalid_argument naming the field before any handler runs.
// DirectContactService takes no bearer token: its link token is its
// authorisation.
//
// Handlers reach the workflow engine through the Engine interface,
// the data inventory through Inventory and configuration reloads through
// Reloader, so the daemon wires in the real ones and tests may use either the
// real engine or fakes. Engine errors map to status codes: engine.ErrNotFound
// to not_found, engine.ErrFailedPrecondition to failed_precondition and
// engine.ErrInvalidArgument to invalid_argument; anything else is internal,
// logged, and answered without its detail.
package api
