package fakevendors

import (
	"encoding/base64"
	"net/http"
	"strconv"
)

// Intercom follows the REST API 2.11 contacts endpoints: bearer token, the
// contact search paged by pagination.starting_after in the POST body (a
// cursor in the query is ignored, as Intercom ignores it), DELETE
// answering {"deleted": true}.
type Intercom struct {
	*base
	maxPerPage int
}

// NewIntercom returns a fake Intercom that pages at most maxPerPage
// contacts, whatever per_page asks.
func NewIntercom(token string, maxPerPage int) *Intercom {
	c := &Intercom{maxPerPage: maxPerPage}
	c.base = newBase(bearer(token), func(w http.ResponseWriter) {
		writeJSON(w, http.StatusTooManyRequests, intercomError("rate_limit_exceeded", "Exceeded rate limit of 10000 in 60_seconds"))
	})
	c.route("GET /me", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"type": "admin", "id": "991267", "email": "admin@example.com"})
	})
	c.route("POST /contacts/search", c.search)
	c.route("DELETE /contacts/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !c.remove(id) {
			writeJSON(w, http.StatusNotFound, intercomError("not_found", "User Not Found"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "object": "contact", "deleted": true})
	})
	return c
}

func (c *Intercom) search(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query struct {
			Field    string `json:"field"`
			Operator string `json:"operator"`
			Value    string `json:"value"`
		} `json:"query"`
		Pagination struct {
			PerPage       int    `json:"per_page"`
			StartingAfter string `json:"starting_after"`
		} `json:"pagination"`
	}
	if !decodeBody(r, &body) || body.Query.Field != "email" || body.Query.Operator != "=" {
		writeJSON(w, http.StatusBadRequest, intercomError("parameter_invalid", "Invalid query"))
		return
	}
	size := c.maxPerPage
	if body.Pagination.PerPage > 0 {
		size = min(size, body.Pagination.PerPage)
	}
	offset := 0
	if body.Pagination.StartingAfter != "" {
		raw, err := base64.StdEncoding.DecodeString(body.Pagination.StartingAfter)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, intercomError("parameter_invalid", "Invalid starting_after"))
			return
		}
		offset = atoi(string(raw), 0)
	}
	all := c.find(body.Query.Value)
	recs, next := page(all, offset, size)
	data := []any{}
	for _, rec := range recs {
		data = append(data, map[string]any{"type": "contact", "id": rec.ID, "role": "user", "email": rec.Email, "name": rec.Name})
	}
	pages := map[string]any{"type": "pages", "page": offset/size + 1, "per_page": size, "total_pages": (len(all) + size - 1) / size}
	if next > 0 {
		pages["next"] = map[string]any{"page": offset/size + 2, "starting_after": base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(next)))}
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "list", "data": data, "total_count": len(all), "pages": pages})
}

func intercomError(code, message string) map[string]any {
	return map[string]any{"type": "error.list", "request_id": "req-1", "errors": []any{map[string]any{"code": code, "message": message}}}
}
