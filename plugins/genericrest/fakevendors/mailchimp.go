package fakevendors

import (
	"crypto/md5" //nolint:gosec // Mailchimp's subscriber hash
	"encoding/hex"
	"net/http"
	"strings"
)

// Mailchimp follows the Marketing API 3.0 list members endpoints, served
// under /3.0: basic auth with any user name and the API key, members
// addressed by the MD5 of the lower-cased email, 404 problem documents.
type Mailchimp struct {
	*base
	listID string
}

// NewMailchimp returns a fake Mailchimp with one audience, listID.
func NewMailchimp(apiKey, listID string) *Mailchimp {
	m := &Mailchimp{listID: listID}
	m.base = newBase(func(r *http.Request) bool {
		_, pass, ok := r.BasicAuth()
		return ok && pass == apiKey
	}, func(w http.ResponseWriter) {
		writeJSON(w, http.StatusTooManyRequests, problem(429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous connections."))
	})
	m.route("GET /3.0/ping", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"health_status": "Everything's Chimpy!"})
	})
	m.route("GET /3.0/lists/{list}/members/{hash}", func(w http.ResponseWriter, r *http.Request) {
		rec, ok := m.member(r)
		if !ok {
			writeJSON(w, http.StatusNotFound, problem(404, "Resource Not Found", "The requested resource could not be found."))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": rec.ID, "email_address": rec.Email, "status": "subscribed",
			"list_id": m.listID, "merge_fields": map[string]any{"FNAME": rec.Name}})
	})
	m.route("POST /3.0/lists/{list}/members/{hash}/actions/delete-permanent", func(w http.ResponseWriter, r *http.Request) {
		rec, ok := m.member(r)
		if !ok || !m.remove(rec.ID) {
			writeJSON(w, http.StatusNotFound, problem(404, "Resource Not Found", "The requested resource could not be found."))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return m
}

// Add stores a member; its id is the subscriber hash, as in Mailchimp.
func (m *Mailchimp) Add(r Record) {
	r.ID = SubscriberHash(r.Email)
	m.base.Add(r)
}

func (m *Mailchimp) member(r *http.Request) (Record, bool) {
	if r.PathValue("list") != m.listID {
		return Record{}, false
	}
	return m.get(r.PathValue("hash"))
}

// SubscriberHash is Mailchimp's member id: the MD5 of the lower-cased email.
func SubscriberHash(email string) string {
	sum := md5.Sum([]byte(strings.ToLower(email))) //nolint:gosec // Mailchimp's scheme
	return hex.EncodeToString(sum[:])
}

func problem(status int, title, detail string) map[string]any {
	return map[string]any{"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": title, "status": status, "detail": detail}
}
