package fakevendors

import "net/http"

// Mixpanel follows the GDPR API v3 deletion tasks, served under /api/app: a
// bearer OAuth token, the project token as ?token=, answers
// {"status": "ok", "results": {...}}, task states PENDING then SUCCESS. Its
// records are keyed by distinct id (Record.Email holds it).
type Mixpanel struct {
	*base
	projectToken string
	pendingPolls int
	jobs         jobs
	// FailTasks makes every task end in FAILURE instead of SUCCESS.
	FailTasks bool
}

// NewMixpanel returns a fake Mixpanel project.
func NewMixpanel(oauthToken, projectToken string, pendingPolls int) *Mixpanel {
	m := &Mixpanel{projectToken: projectToken, pendingPolls: pendingPolls}
	m.base = newBase(bearer(oauthToken), func(w http.ResponseWriter) {
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"status": "error", "error": "rate limit exceeded"})
	})
	m.route("POST /api/app/data-deletions/v3.0/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			DistinctIDs    []string `json:"distinct_ids"`
			ComplianceType string   `json:"compliance_type"`
		}
		if r.URL.Query().Get("token") != m.projectToken {
			writeJSON(w, http.StatusBadRequest, map[string]any{"status": "error", "error": "invalid project token"})
			return
		}
		if !decodeBody(r, &body) || len(body.DistinctIDs) == 0 || body.ComplianceType != "GDPR" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"status": "error", "error": "distinct_ids is required"})
			return
		}
		fail := m.FailTasks
		id := m.jobs.submit("task-", m.pendingPolls, func() {
			if fail {
				return
			}
			for _, did := range body.DistinctIDs {
				for _, rec := range m.find(did) {
					m.remove(rec.ID)
				}
			}
		})
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "results": map[string]any{"task_id": id}})
	})
	m.route("GET /api/app/data-deletions/v3.0/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") != m.projectToken {
			writeJSON(w, http.StatusBadRequest, map[string]any{"status": "error", "error": "invalid project token"})
			return
		}
		done, ok := m.jobs.poll(r.PathValue("id"))
		status := "PENDING"
		switch {
		case !ok:
			status = "NOT_FOUND"
		case done && m.FailTasks:
			status = "FAILURE"
		case done:
			status = "SUCCESS"
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "results": map[string]any{"status": status}})
	})
	return m
}

// Tasks counts the deletion tasks created.
func (m *Mixpanel) Tasks() int { return m.jobs.count() }
