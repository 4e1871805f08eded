package privacycenter

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
)

// sessionCookie ties a form to the browser that loaded it, for CSRF
// protection only: it names no one and expires with the browser session.
const sessionCookie = "dsrhost_privacy"

// noSession stands for a post without the cookie: no form was ever
// rendered for it, so no token matches and websecure.CSRF refuses it.
const noSession = "\x00none"

func sessionOf(r *http.Request) string {
	if ck, err := r.Cookie(sessionCookie); err == nil && len(ck.Value) == 24 {
		return ck.Value
	}
	return noSession
}

// csrfToken returns the token the page's forms post, starting a session
// when the browser has none. The cookie is Secure when the pages are
// reached over HTTPS, directly or through a TLS-terminating proxy.
func (c *Center) csrfToken(w http.ResponseWriter, r *http.Request) string {
	s := sessionOf(r)
	if s == noSession {
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		s = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{
			Name: sessionCookie, Value: s, Path: Path, HttpOnly: true,
			Secure: r.TLS != nil || strings.HasPrefix(c.base, "https://"), SameSite: http.SameSiteStrictMode,
		})
	}
	return c.csrf.Token(s)
}
