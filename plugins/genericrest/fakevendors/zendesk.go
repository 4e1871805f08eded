package fakevendors

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Zendesk follows the Support API v2 users endpoints, served under
// /api/v2: basic auth "{email}/token" with an API token, user search by
// query=email:..., offset pages linked by next_page, deletion in two steps
// (DELETE /users/{id} soft-deletes, DELETE /deleted_users/{id} purges).
type Zendesk struct {
	*base
	pageSize int

	mu          sync.Mutex
	softDeleted map[string]Record
}

// NewZendesk returns a fake Zendesk whose admin is email with token.
func NewZendesk(email, token string, pageSize int) *Zendesk {
	z := &Zendesk{pageSize: pageSize, softDeleted: map[string]Record{}}
	z.base = newBase(func(r *http.Request) bool {
		user, pass, ok := r.BasicAuth()
		return ok && user == email+"/token" && pass == token
	}, func(w http.ResponseWriter) {
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": "APIRateLimitExceeded", "description": "Number of allowed API requests per minute exceeded"})
	})
	z.route("GET /api/v2/users/me", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"user": map[string]any{"id": 1, "role": "admin"}})
	})
	z.route("GET /api/v2/users/search", z.search)
	z.route("DELETE /api/v2/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		rec, ok := z.get(r.PathValue("id"))
		if !ok || !z.remove(rec.ID) {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "RecordNotFound", "description": "Not found"})
			return
		}
		z.mu.Lock()
		z.softDeleted[rec.ID] = rec
		z.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"user": zendeskUser(rec, false)})
	})
	z.route("DELETE /api/v2/deleted_users/{id}", func(w http.ResponseWriter, r *http.Request) {
		z.mu.Lock()
		rec, ok := z.softDeleted[r.PathValue("id")]
		delete(z.softDeleted, rec.ID)
		z.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "RecordNotFound", "description": "Not found"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"deleted_user": zendeskUser(rec, false)})
	})
	return z
}

func (z *Zendesk) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	email, ok := strings.CutPrefix(q.Get("query"), "email:")
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "InvalidQuery"})
		return
	}
	pageNo := max(atoi(q.Get("page"), 1), 1)
	all := z.find(email)
	recs, next := page(all, (pageNo-1)*z.pageSize, z.pageSize)
	users := []any{}
	for _, rec := range recs {
		users = append(users, zendeskUser(rec, true))
	}
	var nextPage any
	if next > 0 {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path,
			RawQuery: url.Values{"query": {q.Get("query")}, "page": {strconv.Itoa(pageNo + 1)}}.Encode()}
		nextPage = u.String()
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users, "next_page": nextPage, "previous_page": nil, "count": len(all)})
}

// Purged reports whether user id went through both deletion steps: not
// active and not soft-deleted.
func (z *Zendesk) Purged(id string) bool {
	z.mu.Lock()
	_, soft := z.softDeleted[id]
	z.mu.Unlock()
	_, active := z.get(id)
	return !soft && !active
}

// SoftDeleted counts users deleted but not yet purged.
func (z *Zendesk) SoftDeleted() int {
	z.mu.Lock()
	defer z.mu.Unlock()
	return len(z.softDeleted)
}

func zendeskUser(rec Record, active bool) map[string]any {
	id, _ := strconv.ParseInt(rec.ID, 10, 64)
	return map[string]any{"id": id, "email": rec.Email, "name": rec.Name, "role": "end-user", "active": active}
}
