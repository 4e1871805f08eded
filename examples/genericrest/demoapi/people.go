package demoapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Person is one entry of the People API.
type Person struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// People is an API behind the OAuth2 client credentials grant (RFC 6749
// section 4.4) that throttles in bursts:
//
//	POST /oauth/token           grant_type=client_credentials, client authenticated by basic auth or form
//	GET  /api/people?email=&offset=&limit=   {"items": [...], "total": n}
//	POST /api/people/erasure    {"email": "..."} -> {"erased": n}
//
// API calls need a bearer token it issued. When BurstEvery is set, the API
// calls number 0, BurstEvery, 2*BurstEvery, ... each start a run of
// BurstLength answers 429 Too Many Requests with Retry-After: RetryAfter.
type People struct {
	clientID, clientSecret string
	scopes                 []string

	// BurstEvery, BurstLength and RetryAfter (seconds) shape the 429 bursts.
	BurstEvery, BurstLength, RetryAfter int

	mu        sync.Mutex
	tokens    map[string]bool
	issued    int
	calls     int
	throttled int
	people    []Person
	nextID    int64
}

// NewPeople returns a People API with one client allowed the given scopes.
func NewPeople(clientID, clientSecret string, scopes ...string) *People {
	return &People{clientID: clientID, clientSecret: clientSecret, scopes: scopes,
		tokens: map[string]bool{}, nextID: 9007199254740993} // above 2^53: ids must survive as exact integers
}

// Add stores a person and returns the id.
func (p *People) Add(email, name string) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextID++
	p.people = append(p.people, Person{ID: p.nextID, Email: email, Name: name})
	return p.nextID
}

// Count returns how many people with this email are held.
func (p *People) Count(email string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, ps := range p.people {
		if strings.EqualFold(ps.Email, email) {
			n++
		}
	}
	return n
}

// TokensIssued counts the access tokens issued.
func (p *People) TokensIssued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.issued
}

// Throttled counts the 429 answers given.
func (p *People) Throttled() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttled
}

// RevokeTokens forgets every token issued, as a key rotation does.
func (p *People) RevokeTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokens = map[string]bool{}
}

// ServeHTTP routes the API.
func (p *People) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oauth/token" && r.Method == http.MethodPost {
		p.token(w, r)
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	valid := ok && p.tokens[tok]
	throttle := false
	if valid {
		if p.BurstEvery > 0 && p.calls%p.BurstEvery < p.BurstLength {
			throttle = true
			p.throttled++
		}
		p.calls++
	}
	p.mu.Unlock()
	switch {
	case !valid:
		problem(w, http.StatusUnauthorized, "invalid or expired access token")
	case throttle:
		w.Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
		problem(w, http.StatusTooManyRequests, "slow down")
	case r.Method == http.MethodGet && r.URL.Path == "/api/people":
		p.list(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/api/people/erasure":
		p.erase(w, r)
	default:
		problem(w, http.StatusNotFound, "no such endpoint")
	}
}

func (p *People) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.clientID || secret != p.clientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	for _, s := range strings.Fields(r.PostForm.Get("scope")) {
		if !slices.Contains(p.scopes, s) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_scope"})
			return
		}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	p.mu.Lock()
	p.tokens[tok] = true
	p.issued++
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
}

func (p *People) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 || limit > 100 || offset < 0 {
		problem(w, http.StatusBadRequest, "offset and limit (1 to 100) are required")
		return
	}
	p.mu.Lock()
	var match []Person
	for _, ps := range p.people {
		if strings.EqualFold(ps.Email, q.Get("email")) {
			match = append(match, ps)
		}
	}
	p.mu.Unlock()
	items := []Person{}
	if offset < len(match) {
		items = match[offset:min(offset+limit, len(match))]
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": len(match)})
}

func (p *People) erase(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string `json:"email"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Email == "" {
		problem(w, http.StatusUnprocessableEntity, "body must be {\"email\": \"...\"}")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	kept := p.people[:0]
	n := 0
	for _, ps := range p.people {
		if strings.EqualFold(ps.Email, body.Email) {
			n++
			continue
		}
		kept = append(kept, ps)
	}
	p.people = kept
	writeJSON(w, http.StatusOK, map[string]any{"erased": n})
}
