package fakevendors

import "net/http"

// Braze follows the REST API's user export and deletion: a bearer REST API
// key, 201 answers carrying "message": "success".
type Braze struct {
	*base
}

// NewBraze returns a fake Braze instance.
func NewBraze(apiKey string) *Braze {
	b := &Braze{}
	b.base = newBase(bearer(apiKey), func(w http.ResponseWriter) {
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "Rate limit exceeded"})
	})
	b.route("POST /users/export/ids", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			EmailAddress   string   `json:"email_address"`
			FieldsToExport []string `json:"fields_to_export"`
		}
		if !decodeBody(r, &body) || body.EmailAddress == "" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Missing user identifier"})
			return
		}
		users := []any{}
		for _, rec := range b.find(body.EmailAddress) {
			users = append(users, map[string]any{"braze_id": rec.ID, "email": rec.Email, "first_name": rec.Name})
		}
		writeJSON(w, http.StatusCreated, map[string]any{"users": users, "message": "success"})
	})
	b.route("POST /users/delete", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			BrazeIDs []string `json:"braze_ids"`
		}
		if !decodeBody(r, &body) || len(body.BrazeIDs) == 0 {
			writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Missing user identifier"})
			return
		}
		deleted := 0
		for _, id := range body.BrazeIDs {
			if b.remove(id) {
				deleted++
			}
		}
		writeJSON(w, http.StatusCreated, map[string]any{"deleted": deleted, "message": "success"})
	})
	return b
}
