package connector

import (
	"strings"

	"github.com/dsrhost/dsrhost/sdk"
)

// heapUser is one entry of a user_deletion body. Heap wants exactly one key
// per entry, which omitempty and usersFor guarantee.
type heapUser struct {
	Identity string `json:"identity,omitempty"`
	UserID   string `json:"user_id,omitempty"`
}

// deletionBody is the user_deletion request body.
type deletionBody struct {
	Users []heapUser `json:"users"`
}

// usersFor lists the Heap users to delete for a subject: the identity named
// by identity_field and, with send_user_id, the subject's user id as a
// separate entry. That is at most two entries, far below the 10,000 Heap
// accepts per call, so one job is always one call. The error never quotes an
// identifier's value.
func usersFor(sub sdk.Subject, s *settings) ([]heapUser, error) {
	var users []heapUser
	if id := identifier(sub, s.IdentityField); id != "" {
		users = append(users, heapUser{Identity: id})
	}
	if s.SendUserID {
		if id := strings.TrimSpace(sub.UserID); id != "" {
			users = append(users, heapUser{UserID: id})
		}
	}
	if len(users) == 0 {
		return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "the request has no %q identifier to delete from Heap", s.IdentityField).
			WithRemediation("Set identity_field to an identifier every request carries (email always is), " +
				"or add that identifier to the request, then retry the integration.")
	}
	return users, nil
}

// identifier returns the subject's identifier called field: a built-in one
// or a key of the further identifiers (including those found by the
// integrations this one depends on).
func identifier(sub sdk.Subject, field string) string {
	var v string
	switch field {
	case "email":
		v = sub.Email
	case "phone":
		v = sub.Phone
	case "user_id":
		v = sub.UserID
	default:
		v = sub.Identifiers[field]
	}
	return strings.TrimSpace(v)
}
