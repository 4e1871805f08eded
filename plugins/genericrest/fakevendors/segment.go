package fakevendors

import "net/http"

// Segment follows the Public API's workspace regulations: a bearer token,
// POST /regulations answering a regulateId, GET /regulations/{id}
// reporting overallStatus (RUNNING for a few polls, then FINISHED). Its
// records are keyed by user id (Record.Email holds the user id).
type Segment struct {
	*base
	pendingPolls int
	jobs         jobs
}

// NewSegment returns a fake Segment whose regulations run for
// pendingPolls status requests.
func NewSegment(token string, pendingPolls int) *Segment {
	s := &Segment{pendingPolls: pendingPolls}
	s.base = newBase(bearer(token), func(w http.ResponseWriter) {
		writeJSON(w, http.StatusTooManyRequests, segmentError("too-many-requests", "Too many requests"))
	})
	s.route("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"workspace": map[string]any{"id": "ws1", "name": "Acme", "slug": "acme"}}})
	})
	s.route("POST /regulations", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			RegulationType string   `json:"regulationType"`
			SubjectType    string   `json:"subjectType"`
			SubjectIDs     []string `json:"subjectIds"`
		}
		if !decodeBody(r, &body) || body.SubjectType != "USER_ID" || len(body.SubjectIDs) == 0 || body.RegulationType != "SUPPRESS_WITH_DELETE" {
			writeJSON(w, http.StatusUnprocessableEntity, segmentError("validation", "Validation failure"))
			return
		}
		id := s.jobs.submit("reg_", s.pendingPolls, func() {
			for _, uid := range body.SubjectIDs {
				for _, rec := range s.find(uid) {
					s.remove(rec.ID)
				}
			}
		})
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"regulateId": id}})
	})
	s.route("GET /regulations/{id}", func(w http.ResponseWriter, r *http.Request) {
		done, ok := s.jobs.poll(r.PathValue("id"))
		if !ok {
			writeJSON(w, http.StatusNotFound, segmentError("not-found", "Resource not found"))
			return
		}
		status := "RUNNING"
		if done {
			status = "FINISHED"
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"regulation": map[string]any{
			"id": r.PathValue("id"), "workspaceId": "ws1", "overallStatus": status}}})
	})
	return s
}

// Regulations counts the regulations created.
func (s *Segment) Regulations() int { return s.jobs.count() }

func segmentError(typ, message string) map[string]any {
	return map[string]any{"errors": []any{map[string]any{"type": typ, "message": message}}}
}
