package demoapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Exports is an asynchronous privacy API: jobs are accepted at once and
// finish after a few status polls.
//
//	POST /privacy/exports              {"email": "..."} -> 202 {"data": {"id": "exp_1", "status": "queued"}}
//	GET  /privacy/exports/{id}         {"data": {"id": ..., "status": "queued" | "processing" | "completed" | "failed"}}
//	GET  /privacy/exports/{id}/records {"records": [...]}, paged with Link: <...?page=2>; rel="next"
//	POST /privacy/deletions            {"email": "..."} -> 202 {"data": {"id": "del_1", "status": "pending"}}
//	GET  /privacy/deletions/{id}       {"data": {"id": ..., "status": "pending" | "completed"}}
//
// Every call needs the header X-Api-Key.
type Exports struct {
	apiKey    string
	pollsLeft int // status polls a job answers as running before it finishes
	pageSize  int

	mu          sync.Mutex
	records     map[string][]map[string]any // by email
	jobs        map[string]*exportJob
	seq         int
	submissions map[string]int // "export" or "deletion" -> count
	failExports bool
}

type exportJob struct {
	kind  string // "export" or "deletion"
	email string
	polls int
	state string
}

// NewExports returns an Exports API accepting apiKey, whose jobs finish on
// the polls-th status poll and whose record pages hold pageSize records.
func NewExports(apiKey string, polls, pageSize int) *Exports {
	return &Exports{apiKey: apiKey, pollsLeft: max(polls, 1), pageSize: max(pageSize, 1),
		records: map[string][]map[string]any{}, jobs: map[string]*exportJob{}, submissions: map[string]int{}}
}

// AddRecord stores one record (an event, an order) for a subject.
func (e *Exports) AddRecord(email string, record map[string]any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.records[email] = append(e.records[email], record)
}

// Records returns the records held for a subject.
func (e *Exports) Records(email string) []map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]map[string]any(nil), e.records[email]...)
}

// Submissions counts the jobs of a kind ("export" or "deletion") submitted.
func (e *Exports) Submissions(kind string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.submissions[kind]
}

// FailExports makes every export job end as "failed".
func (e *Exports) FailExports() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failExports = true
}

// ServeHTTP routes the API.
func (e *Exports) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Api-Key") != e.apiKey {
		problem(w, http.StatusUnauthorized, "invalid API key")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "privacy" || (parts[1] != "exports" && parts[1] != "deletions") {
		problem(w, http.StatusNotFound, "no such endpoint")
		return
	}
	kind := strings.TrimSuffix(parts[1], "s")
	switch {
	case len(parts) == 2 && r.Method == http.MethodPost:
		e.submit(w, r, kind)
	case len(parts) == 3 && r.Method == http.MethodGet:
		e.status(w, kind, parts[2])
	case len(parts) == 4 && parts[3] == "records" && kind == "export" && r.Method == http.MethodGet:
		e.exportRecords(w, r, parts[2])
	default:
		problem(w, http.StatusNotFound, "no such endpoint")
	}
}

func (e *Exports) submit(w http.ResponseWriter, r *http.Request, kind string) {
	var body struct {
		Email string `json:"email"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Email == "" {
		problem(w, http.StatusUnprocessableEntity, "body must be {\"email\": \"...\"}")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seq++
	e.submissions[kind]++
	id := fmt.Sprintf("%s_%d", kind[:3], e.seq)
	state := "queued"
	if kind == "deletion" {
		state = "pending"
	}
	e.jobs[id] = &exportJob{kind: kind, email: body.Email, state: state}
	writeJSON(w, http.StatusAccepted, map[string]any{"data": map[string]string{"id": id, "status": state}})
}

func (e *Exports) status(w http.ResponseWriter, kind, id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, ok := e.jobs[id]
	if !ok || j.kind != kind {
		problem(w, http.StatusNotFound, "no such job")
		return
	}
	if j.state != "completed" && j.state != "failed" {
		j.polls++
		switch {
		case j.polls < e.pollsLeft && kind == "export":
			j.state = "processing"
		case j.polls < e.pollsLeft:
		case kind == "export" && e.failExports:
			j.state = "failed"
		default:
			j.state = "completed"
			if kind == "deletion" {
				delete(e.records, j.email)
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]string{"id": id, "status": j.state}})
}

func (e *Exports) exportRecords(w http.ResponseWriter, r *http.Request, id string) {
	e.mu.Lock()
	j, ok := e.jobs[id]
	var recs []map[string]any
	var state string
	if ok && j.kind == "export" {
		recs = append(recs, e.records[j.email]...)
		state = j.state
	}
	e.mu.Unlock()
	if state == "" {
		problem(w, http.StatusNotFound, "no such export")
		return
	}
	if state != "completed" {
		problem(w, http.StatusConflict, "export not completed")
		return
	}
	page := 1
	if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && p > 0 {
		page = p
	}
	start := min((page-1)*e.pageSize, len(recs))
	end := min(start+e.pageSize, len(recs))
	if end < len(recs) {
		// A comma inside the URI, as real APIs put in field lists, checks
		// that the client parses RFC 8288 rather than splitting on commas.
		w.Header().Add("Link", fmt.Sprintf(`</privacy/exports/%s/records?fields=id,type&page=%d>; rel="next", </privacy/exports/%s/records?page=1>; rel="first"`, id, page+1, id))
	}
	writeJSON(w, http.StatusOK, map[string]any{"records": append([]map[string]any{}, recs[start:end]...)})
}
