package websecure

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// FormField is the hidden form field that carries the CSRF token.
const FormField = "csrf_token"

// CSRF guards state-changing requests in two independent ways, so a gap in
// one (an old browser without Fetch metadata, a token leaked into a log) is
// covered by the other:
//   - net/http's CrossOriginProtection refuses cross-origin non-safe
//     requests by their Sec-Fetch-Site and Origin headers;
//   - the form must carry [Token] for the caller's session, compared in
//     constant time.
//
// session returns the caller's session secret, or "" when the request has
// no session: such a request needs no token (it is refused elsewhere as
// signed out, or is a sign-in form, which CrossOriginProtection covers).
type CSRF struct {
	// Key is the server's secret the tokens are derived with.
	Key []byte
	// Session returns the secret of the caller's session, or "".
	Session func(*http.Request) string
}

// Token is the value a form of the session must post in [FormField].
func (c CSRF) Token(session string) string {
	m := hmac.New(sha256.New, c.Key)
	m.Write([]byte("csrf\x00" + session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Wrap refuses, with 403 and a short plain explanation, a non-safe request
// that comes from another origin or, in a session, lacks the session's
// token.
func (c CSRF) Wrap(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(refuse))
	check := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !safeMethod(req.Method) {
			if s := c.Session(req); s != "" {
				want := c.Token(s)
				got := req.PostFormValue(FormField)
				if !hmac.Equal([]byte(got), []byte(want)) {
					refuse(w, req)
					return
				}
			}
		}
		next.ServeHTTP(w, req)
	})
	return cop.Handler(check)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func refuse(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte("This form was refused: it did not come from this site's own page, or the page was too old. Go back, reload the page and try again.\n"))
}
