package fakevendors

import (
	"net/http"
	"strings"
)

// SendGrid follows the v3 Marketing Campaigns contacts endpoints: a bearer
// API key, search by emails answering 404 when none is found, DELETE
// /marketing/contacts?ids= answering 202 with a job_id, whose state
// GET /marketing/contacts/imports/{id} reports (pending, then completed).
type SendGrid struct {
	*base
	pendingPolls int
	jobs         jobs
}

// NewSendGrid returns a fake SendGrid whose deletion jobs stay pending for
// pendingPolls status requests.
func NewSendGrid(apiKey string, pendingPolls int) *SendGrid {
	s := &SendGrid{pendingPolls: pendingPolls}
	s.base = newBase(bearer(apiKey), func(w http.ResponseWriter) {
		writeJSON(w, http.StatusTooManyRequests, sendgridError("too many requests"))
	})
	s.route("GET /v3/scopes", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"scopes": []string{"marketing.read", "marketing.write"}})
	})
	s.route("POST /v3/marketing/contacts/search/emails", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Emails []string `json:"emails"`
		}
		if !decodeBody(r, &body) || len(body.Emails) == 0 {
			writeJSON(w, http.StatusBadRequest, sendgridError("emails are required"))
			return
		}
		result := map[string]any{}
		for _, email := range body.Emails {
			for _, rec := range s.find(email) {
				result[email] = map[string]any{"contact": map[string]any{"id": rec.ID, "email": rec.Email, "first_name": rec.Name}}
			}
		}
		if len(result) == 0 {
			writeJSON(w, http.StatusNotFound, sendgridError("No contacts found"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"result": result})
	})
	s.route("DELETE /v3/marketing/contacts", func(w http.ResponseWriter, r *http.Request) {
		ids := strings.Split(r.URL.Query().Get("ids"), ",")
		if ids[0] == "" {
			writeJSON(w, http.StatusBadRequest, sendgridError("ids or delete_all_contacts is required"))
			return
		}
		id := s.jobs.submit("job-", s.pendingPolls, func() {
			for _, id := range ids {
				s.remove(id)
			}
		})
		writeJSON(w, http.StatusAccepted, map[string]any{"job_id": id})
	})
	s.route("GET /v3/marketing/contacts/imports/{id}", func(w http.ResponseWriter, r *http.Request) {
		done, ok := s.jobs.poll(r.PathValue("id"))
		if !ok {
			writeJSON(w, http.StatusNotFound, sendgridError("job not found"))
			return
		}
		status := "pending"
		if done {
			status = "completed"
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "status": status, "job_type": "delete"})
	})
	return s
}

// DeletionJobs counts the deletion jobs submitted.
func (s *SendGrid) DeletionJobs() int { return s.jobs.count() }

func sendgridError(message string) map[string]any {
	return map[string]any{"errors": []any{map[string]any{"field": nil, "message": message}}}
}
