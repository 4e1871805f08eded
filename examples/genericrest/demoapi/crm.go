package demoapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Contact is one CRM contact.
type Contact struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// CRM is a synchronous CRM API under /v1:
//
//	GET    /v1/me                                   the token's account and scopes
//	GET    /v1/contacts?email=&limit=&after=        {"results": [...], "paging": {"next": {"after": "...", "link": "..."}}}
//	DELETE /v1/contacts/{id}                        204, or 404 when there is no such contact
//
// Every call needs Authorization: Bearer <Token>.
type CRM struct {
	token    string
	pageSize int

	mu       sync.Mutex
	contacts []Contact
	nextID   int
	deleted  []string
	lookups  int
}

// NewCRM returns an empty CRM accepting token, answering pageSize contacts
// per page unless the caller asks for fewer.
func NewCRM(token string, pageSize int) *CRM {
	return &CRM{token: token, pageSize: max(pageSize, 1), nextID: 1000}
}

// Add stores a contact and returns its id.
func (c *CRM) Add(email, name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	id := strconv.Itoa(c.nextID)
	c.contacts = append(c.contacts, Contact{ID: id, Email: email, Name: name})
	return id
}

// Deleted returns the ids deleted so far, in order.
func (c *CRM) Deleted() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.deleted...)
}

// Lookups counts the contact list pages served.
func (c *CRM) Lookups() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lookups
}

// ServeHTTP routes the CRM's API.
func (c *CRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+c.token {
		problem(w, http.StatusUnauthorized, "invalid or missing bearer token")
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/me":
		writeJSON(w, http.StatusOK, map[string]any{"account": "demo", "scopes": []string{"contacts.read", "contacts.write"}})
	case r.Method == http.MethodGet && r.URL.Path == "/v1/contacts":
		c.list(w, r)
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/v1/contacts/"):
		c.delete(w, strings.TrimPrefix(r.URL.Path, "/v1/contacts/"))
	default:
		problem(w, http.StatusNotFound, "no such endpoint")
	}
}

func (c *CRM) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	email := q.Get("email")
	if email == "" {
		problem(w, http.StatusBadRequest, "email is required")
		return
	}
	limit := c.pageSize
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n < limit {
		limit = n
	}
	start := 0
	if after := q.Get("after"); after != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(after, "c"))
		if err != nil || !strings.HasPrefix(after, "c") || n < 0 {
			problem(w, http.StatusBadRequest, "invalid cursor")
			return
		}
		start = n
	}
	c.mu.Lock()
	c.lookups++
	var match []Contact
	for _, ct := range c.contacts {
		if strings.EqualFold(ct.Email, email) {
			match = append(match, ct)
		}
	}
	c.mu.Unlock()
	page := []Contact{}
	if start < len(match) {
		page = match[start:min(start+limit, len(match))]
	}
	body := map[string]any{"results": page}
	if end := start + len(page); end < len(match) {
		after := "c" + strconv.Itoa(end)
		next := url.Values{"email": {email}, "limit": {strconv.Itoa(limit)}, "after": {after}}
		body["paging"] = map[string]any{"next": map[string]string{"after": after, "link": "/v1/contacts?" + next.Encode()}}
	}
	writeJSON(w, http.StatusOK, body)
}

func (c *CRM) delete(w http.ResponseWriter, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, ct := range c.contacts {
		if ct.ID == id {
			c.contacts = append(c.contacts[:i], c.contacts[i+1:]...)
			c.deleted = append(c.deleted, id)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	problem(w, http.StatusNotFound, "no such contact")
}
