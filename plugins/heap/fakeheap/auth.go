package fakeheap

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
)

// authToken serves POST /api/public/v0/auth_token: HTTP Basic auth with the
// app id as user and the API key as password.
func (s *Server) authToken(w http.ResponseWriter, r *http.Request) {
	appID, key, ok := r.BasicAuth()
	if !ok {
		writeErr(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	if !equal(key, s.cfg.APIKey) {
		writeErr(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	if !equal(appID, s.cfg.AppID) {
		if slices.Contains(s.cfg.NonProductionAppIDs, appID) {
			writeErr(w, http.StatusUnauthorized, NonProductionMessage)
			return
		}
		writeErr(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	token := rand.Text()
	s.mu.Lock()
	s.tokens[token] = s.now().Add(s.cfg.TokenTTL)
	s.issued++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"access_token": token})
}

// bearer refuses requests without a live token from authToken.
func (s *Server) bearer(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			writeErr(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		s.mu.Lock()
		expires, known := s.tokens[token]
		live := known && s.now().Before(expires)
		if known && !live {
			delete(s.tokens, token)
		}
		s.mu.Unlock()
		if !live {
			writeErr(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		next(w, r)
	}
}

func equal(a, b string) bool {
	return b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
