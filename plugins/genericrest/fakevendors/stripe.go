package fakevendors

import (
	"net/http"
	"strconv"
	"strings"
)

// Stripe follows the customers endpoints: a bearer secret key, search by
// query=email:'...' paged with next_page and page, DELETE answering
// {"deleted": true}, errors as {"error": {...}}.
type Stripe struct {
	*base
	maxLimit int
}

// NewStripe returns a fake Stripe that pages at most maxLimit customers.
func NewStripe(secretKey string, maxLimit int) *Stripe {
	s := &Stripe{maxLimit: maxLimit}
	s.base = newBase(bearer(secretKey), func(w http.ResponseWriter) {
		writeJSON(w, http.StatusTooManyRequests, stripeError("rate_limit", "Too many requests hit the API too quickly."))
	})
	s.route("GET /v1/customers", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []any{}, "has_more": false, "url": "/v1/customers"})
	})
	s.route("GET /v1/customers/search", s.search)
	s.route("DELETE /v1/customers/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !s.remove(id) {
			writeJSON(w, http.StatusNotFound, stripeError("resource_missing", "No such customer"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "object": "customer", "deleted": true})
	})
	return s
}

func (s *Stripe) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	query := q.Get("query")
	email, ok := strings.CutPrefix(query, "email:'")
	email, ok2 := strings.CutSuffix(email, "'")
	if !ok || !ok2 {
		writeJSON(w, http.StatusBadRequest, stripeError("parameter_invalid_string", "Invalid search query"))
		return
	}
	size := s.maxLimit
	if n := atoi(q.Get("limit"), 0); n > 0 {
		size = min(size, n)
	}
	offset := 0
	if p := q.Get("page"); p != "" {
		raw, ok := strings.CutPrefix(p, "page_")
		if !ok {
			writeJSON(w, http.StatusBadRequest, stripeError("parameter_invalid_string", "Invalid page"))
			return
		}
		offset = atoi(raw, 0)
	}
	recs, next := page(s.find(email), offset, size)
	data := []any{}
	for _, rec := range recs {
		data = append(data, map[string]any{"id": rec.ID, "object": "customer", "email": rec.Email, "name": rec.Name})
	}
	var nextPage any
	if next > 0 {
		nextPage = "page_" + strconv.Itoa(next)
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "search_result", "data": data, "has_more": next > 0,
		"next_page": nextPage, "url": "/v1/customers/search"})
}

func stripeError(code, message string) map[string]any {
	return map[string]any{"error": map[string]any{"type": "invalid_request_error", "code": code, "message": message}}
}
