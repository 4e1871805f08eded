// Package websecure holds what every server-rendered page of the daemon
// shares for safety: the response headers (a strict Content-Security-Policy
// without inline script, no framing, no caching, no referrer) and CSRF
// protection for forms.
//
// Each web surface (the privacy center, the console, the Direct Contact
// answer page) is its own package and wraps its handler with [Headers] and,
// when it takes form posts authorised by a cookie, with [CSRF].
package websecure
