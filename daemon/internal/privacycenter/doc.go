// Package privacycenter serves the subjects' own pages under /privacy/:
// choose a request type, fill in a form, prove the email address is theirs
// (an emailed link or 6-digit code), follow the request on a status page,
// and download the results of an access request.
//
// Nothing a subject types is kept before they verify: the submission waits
// sealed (daemon/internal/seal) in its own Redis keys with the verification
// TTL, and leaves nothing behind when it expires. Once verified, the
// request is created in Review with source "privacy_center" through the
// engine call the admin API's CreateRequest uses.
//
// Links emailed to the subject (status, download) carry sealed tokens: the
// key that encrypts results authenticates them, so they cannot be forged,
// and they hold no personal data. Every page gets websecure's headers, and
// every form its CSRF protection; submissions and verifications are rate
// limited per IP address and per email address in Redis, so every daemon
// sharing it shares the limits.
package privacycenter
