// Package demoapi holds small HTTP APIs that stand in for third parties: the
// genericrest connector's tests run against them, and dev mode can serve
// them so the example configurations in examples/genericrest work on a
// laptop. Each follows a shape real privacy-relevant APIs have:
//
//   - [CRM]: a synchronous CRM with bearer tokens, contacts looked up by
//     email with cursor pagination (HubSpot-style paging.next.after, plus a
//     next link in the body), and per-record DELETE.
//   - [Exports]: an asynchronous privacy API with an API key header: submit
//     an export or a deletion, poll its status, fetch the export's records
//     page by page through RFC 8288 Link headers.
//   - [People]: an API behind the OAuth2 client credentials grant, paged by
//     offset and limit, with erasure by identity, that answers 429 with
//     Retry-After in bursts.
//
// They keep everything in memory and count what they were asked, so tests
// can check that nothing was submitted twice.
package demoapi

import (
	"encoding/json"
	"net/http"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func problem(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}
