// Package fakevendors holds local stand-ins for the SaaS APIs of
// genericrest's catalogue, each following its vendor's published API:
// methods, paths, authentication, bodies, pagination, status codes, and a
// 429 with Retry-After the first time each route is called. Tests point a
// catalogue entry's base_url at one and check what is left afterwards.
package fakevendors

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"sync"
)

// Record is one thing a vendor holds about a person: a member, contact,
// profile, user or customer.
type Record struct {
	ID    string
	Email string
	Name  string
}

// Vendor is a fake API: an http.Handler with the records it holds.
type Vendor interface {
	http.Handler
	// Add stores a record.
	Add(r Record)
	// Remaining returns the ids of the records still held for email.
	Remaining(email string) []string
	// Calls counts the requests answered on a route, such as
	// "DELETE /contacts/{id}", 429s and 401s included.
	Calls(route string) int
	// Throttled counts the 429 answers given.
	Throttled() int
	// FailAfter starts an outage (503 to everything) after n more
	// requests; a negative n ends it.
	FailAfter(n int)
}

// base is what every fake shares: the records, the credential check and
// the first-call 429 of every route.
type base struct {
	mux        *http.ServeMux
	authorized func(*http.Request) bool
	// rateLimited writes the vendor's own 429 answer.
	rateLimited func(http.ResponseWriter)

	mu        sync.Mutex
	records   map[string]Record // by id
	order     []string          // ids in insertion order
	calls     map[string]int
	throttled map[string]bool
	throttles int
	// downAfter, when not negative, is how many more requests are
	// answered before every request gets 503 (an outage).
	downAfter int
}

func newBase(authorized func(*http.Request) bool, rateLimited func(http.ResponseWriter)) *base {
	return &base{mux: http.NewServeMux(), authorized: authorized, rateLimited: rateLimited,
		records: map[string]Record{}, calls: map[string]int{}, throttled: map[string]bool{}, downAfter: -1}
}

// FailAfter makes the API fail with 503 once it has answered n more
// requests; a negative n ends the outage.
func (b *base) FailAfter(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.downAfter = n
}

func (b *base) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.mux.ServeHTTP(w, r) }

// route serves pattern: 401 without the credentials, 429 with
// Retry-After: 1 the first time, then h.
func (b *base) route(pattern string, h http.HandlerFunc) {
	b.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.calls[pattern]++
		down := b.downAfter == 0
		if b.downAfter > 0 {
			b.downAfter--
		}
		b.mu.Unlock()
		if down {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": "service unavailable"})
			return
		}
		b.mu.Lock()
		first := !b.throttled[pattern]
		b.throttled[pattern] = true
		if first {
			b.throttles++
		}
		b.mu.Unlock()
		if !b.authorized(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "unauthorized"})
			return
		}
		if first {
			w.Header().Set("Retry-After", "1")
			b.rateLimited(w)
			return
		}
		h(w, r)
	})
}

func (b *base) Add(r Record) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.records[r.ID]; !ok {
		b.order = append(b.order, r.ID)
	}
	b.records[r.ID] = r
}

// find returns the records held for email, in insertion order.
func (b *base) find(email string) []Record {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Record
	for _, id := range b.order {
		if r, ok := b.records[id]; ok && r.Email == email {
			out = append(out, r)
		}
	}
	return out
}

func (b *base) get(id string) (Record, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.records[id]
	return r, ok
}

// remove deletes a record, reporting whether it was there.
func (b *base) remove(id string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.records[id]
	delete(b.records, id)
	return ok
}

func (b *base) Remaining(email string) []string {
	var ids []string
	for _, r := range b.find(email) {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	return ids
}

func (b *base) Calls(route string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[route]
}

func (b *base) Throttled() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.throttles
}

// page returns the slice of records from offset, at most size long, and
// the offset of the next page (0 when there is none).
func page(all []Record, offset, size int) ([]Record, int) {
	if offset >= len(all) {
		return nil, 0
	}
	end := min(offset+size, len(all))
	if end == len(all) {
		return all[offset:end], 0
	}
	return all[offset:end], end
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func decodeBody(r *http.Request, v any) bool {
	return json.NewDecoder(r.Body).Decode(v) == nil
}

func atoi(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return n
	}
	return def
}

func bearer(token string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+token }
}

// asyncJob is a vendor-side job that reports running for a number of
// status requests, then done.
type asyncJob struct {
	pending int
	apply   func()
}

// jobs tracks vendor-side asynchronous jobs.
type jobs struct {
	mu   sync.Mutex
	next int
	all  map[string]*asyncJob
}

func (j *jobs) submit(prefix string, pending int, apply func()) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.all == nil {
		j.all = map[string]*asyncJob{}
	}
	j.next++
	id := prefix + strconv.Itoa(j.next)
	j.all[id] = &asyncJob{pending: pending, apply: apply}
	return id
}

// poll reports whether job id is done, applying it the first time it is;
// ok is false for an unknown id.
func (j *jobs) poll(id string) (done, ok bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.all[id]
	if !ok {
		return false, false
	}
	if job.pending > 0 {
		job.pending--
		return false, true
	}
	if job.apply != nil {
		job.apply()
		job.apply = nil
	}
	return true, true
}

// count returns how many jobs were submitted.
func (j *jobs) count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.all)
}
