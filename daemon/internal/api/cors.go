package api

import (
	"net/http"

	connectcors "connectrpc.com/cors"
	"github.com/rs/cors"
)

// corsMaxAge is how long, in seconds, a browser may cache a preflight's
// answer.
const corsMaxAge = 7200

// withCORS answers CORS preflights and tags responses for browser clients
// on the given origins, with the methods and headers Connect, gRPC-Web and
// the Authorization header need (connectrpc.com/cors keeps those lists in
// step with the protocols). Without origins next is returned as is: a
// preflight then gets no CORS headers and the browser refuses the call.
func withCORS(next http.Handler, origins []string) http.Handler {
	if len(origins) == 0 {
		return next
	}
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: connectcors.AllowedMethods(),
		AllowedHeaders: append(connectcors.AllowedHeaders(), "Authorization"),
		ExposedHeaders: connectcors.ExposedHeaders(),
		MaxAge:         corsMaxAge,
	}).Handler(next)
}
