package fakeheap

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// maxBody bounds a user_deletion body: 10,000 users of generous size.
const maxBody = 8 << 20

// userDeletion serves POST /api/public/v0/user_deletion.
func (s *Server) userDeletion(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.EqualFold(mt, "application/json") {
		writeErr(w, http.StatusBadRequest, "Content-Type must be application/json")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeErr(w, http.StatusBadRequest, "request body too large or unreadable")
		return
	}
	users, err := parseUsers(body)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err.Error())
		return
	}
	id := rand.Text()
	s.mu.Lock()
	s.deletions[id] = &Deletion{ID: id, Users: users}
	s.order = append(s.order, id)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"deletion_request_id": id, "status": "pending"})
}

// parseUsers enforces the body's shape: {"users": [...]}, nothing else, at
// least one and at most MaxUsers entries, each an object with exactly one
// key, "identity" (a non-empty string) or "user_id" (a non-empty string or a
// number).
func parseUsers(body []byte) ([]User, error) {
	var req struct {
		Users []map[string]json.RawMessage `json:"users"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("body must be a JSON object with only a \"users\" list: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("body has data after the JSON object")
	}
	switch {
	case len(req.Users) == 0:
		return nil, fmt.Errorf("users must list at least one user")
	case len(req.Users) > MaxUsers:
		return nil, fmt.Errorf("users lists %d users; at most %d are accepted per request", len(req.Users), MaxUsers)
	}
	users := make([]User, 0, len(req.Users))
	for i, u := range req.Users {
		if len(u) != 1 {
			return nil, fmt.Errorf("users[%d] must have exactly one key, identity or user_id; it has %d", i, len(u))
		}
		var user User
		for k, v := range u {
			switch k {
			case "identity":
				var id string
				if json.Unmarshal(v, &id) != nil || id == "" {
					return nil, fmt.Errorf("users[%d].identity must be a non-empty string", i)
				}
				user.Identity = id
			case "user_id":
				id, ok := userID(v)
				if !ok {
					return nil, fmt.Errorf("users[%d].user_id must be a non-empty string or a number", i)
				}
				user.UserID = id
			default:
				return nil, fmt.Errorf("users[%d] has unknown key %q; want identity or user_id", i, k)
			}
		}
		users = append(users, user)
	}
	return users, nil
}

func userID(v json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, s != ""
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// deletionStatus serves GET /api/public/v0/deletion_status/{id}.
func (s *Server) deletionStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	d, ok := s.deletions[id]
	status := "pending"
	if ok {
		d.Polls++
		if d.Polls > s.cfg.PendingPolls {
			status = "complete"
		}
	}
	s.mu.Unlock()
	if !ok {
		writeErr(w, http.StatusNotFound, "deletion request not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"deletion_request_id": id, "status": status})
}
