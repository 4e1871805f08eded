package websecure

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// CSP returns a Content-Security-Policy that allows only the given inline
// stylesheets (by hash), forms posting back to the same origin, and nothing
// else: no script, image, frame, font or connection to any origin.
func CSP(inlineStyles ...string) string {
	src := []string{"default-src 'none'"}
	if len(inlineStyles) > 0 {
		hashes := make([]string, len(inlineStyles))
		for i, s := range inlineStyles {
			sum := sha256.Sum256([]byte(s))
			hashes[i] = "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		}
		src = append(src, "style-src "+strings.Join(hashes, " "))
	}
	src = append(src, "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'")
	return strings.Join(src, "; ")
}

// Headers wraps next so that every response carries csp and the headers a
// page holding personal data needs: not framed, not cached, not referred,
// not indexed, not sniffed.
func Headers(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if req.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, req)
	})
}
