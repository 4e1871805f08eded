// Package console is the operator console: the web pages at /ui/ on
// server.listen where a privacy team signs in with an admin token, reads
// requests and acts on them. Every action goes through the same engine
// calls as the admin API, recorded in the request's history under the
// signed-in token's name. Pages are Go html/template with no inline
// script; one small script served from the binary reloads an open request
// page when its history moves.
package console
