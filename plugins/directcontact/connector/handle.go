package connector

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// handlePrefix versions the handle format, so a later release can read old
// handles still stored by the daemon.
const handlePrefix = "dc1."

// handle is the state of one emailed job, kept by the daemon between polls
// rather than by the plugin, which may restart at any time. It holds no
// personal data and not the response link: both come with every poll's Job.
type handle struct {
	// ID names the job in Message-IDs and in the de-duplication map; it is
	// derived from the integration and idempotency key.
	ID string `json:"id"`
	// Kind is kindAccess or kindDeletion.
	Kind string `json:"k"`
	// Sent is when the first email went out (Unix seconds).
	Sent int64 `json:"s"`
	// Due is the due date used when a poll's Job carries none (Unix seconds).
	Due int64 `json:"d"`
	// Reminders counts the reminders sent.
	Reminders int `json:"n,omitempty"`
	// LastReminder is the scheduled time of the last reminder sent (Unix
	// seconds), so each scheduled reminder goes out once.
	LastReminder int64 `json:"r,omitempty"`
}

func (h handle) encode() string {
	b, _ := json.Marshal(h) // a struct of strings and numbers always marshals
	return handlePrefix + base64.RawURLEncoding.EncodeToString(b)
}

// decodeHandle reads a handle the connector issued.
func decodeHandle(s string) (handle, error) {
	var h handle
	rest, ok := strings.CutPrefix(s, handlePrefix)
	if !ok {
		return h, fmt.Errorf("handle is not a direct contact handle of version 1")
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return h, fmt.Errorf("decode handle: %w", err)
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("decode handle: %w", err)
	}
	if h.ID == "" || (h.Kind != kindAccess && h.Kind != kindDeletion) || h.Sent == 0 {
		return h, fmt.Errorf("decode handle: incomplete")
	}
	return h, nil
}

func fromUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }
