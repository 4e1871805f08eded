package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/dsrhost/dsrhost/config"
)

// Principal is who made a call: the name of the admin_token block whose
// token was presented, and its role.
type Principal struct {
	Name string
	Role Role
}

type entry struct {
	hash [sha256.Size]byte
	p    Principal
}

// Tokens is the set of admin tokens the API accepts. It is safe for
// concurrent use, and Replace swaps the whole set at once, as a
// configuration reload does.
type Tokens struct {
	set atomic.Pointer[[]entry]
}

// NewTokens returns the tokens of the admin_token blocks. It fails on a hash
// that is not 64 hex digits or an unknown role, which config.Load already
// reports as diagnostics.
func NewTokens(tokens map[string]*config.AdminToken) (*Tokens, error) {
	t := &Tokens{}
	if err := t.Replace(tokens); err != nil {
		return nil, err
	}
	return t, nil
}

// Replace makes tokens the accepted set. On error the set is unchanged.
func (t *Tokens) Replace(tokens map[string]*config.AdminToken) error {
	names := slices.Sorted(maps.Keys(tokens))
	entries := make([]entry, 0, len(tokens))
	for _, key := range names {
		tok := tokens[key]
		if tok == nil {
			continue
		}
		name := tok.Name
		if name == "" {
			name = key
		}
		role, err := ParseRole(tok.Role)
		if err != nil {
			return fmt.Errorf("admin_token %q: %w", name, err)
		}
		raw, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(tok.SHA256)))
		if err != nil || len(raw) != sha256.Size {
			return fmt.Errorf("admin_token %q: sha256 must be 64 hex digits", name)
		}
		e := entry{p: Principal{Name: name, Role: role}}
		copy(e.hash[:], raw)
		entries = append(entries, e)
	}
	t.set.Store(&entries)
	return nil
}

// Len is the number of accepted tokens.
func (t *Tokens) Len() int {
	if s := t.set.Load(); s != nil {
		return len(*s)
	}
	return 0
}

// Authenticate returns the principal whose token this is. It hashes the
// token and compares the hash with every accepted hash in constant time,
// whatever matched, so the time taken says nothing about which entry
// matched or how close a guess came.
func (t *Tokens) Authenticate(token string) (Principal, bool) {
	s := t.set.Load()
	if s == nil || token == "" {
		return Principal{}, false
	}
	sum := sha256.Sum256([]byte(token))
	found, index := 0, 0
	for i := range *s {
		eq := subtle.ConstantTimeCompare(sum[:], (*s)[i].hash[:])
		index = subtle.ConstantTimeSelect(eq, i, index)
		found |= eq
	}
	if found == 0 {
		return Principal{}, false
	}
	return (*s)[index].p, true
}

// Hash returns the hex SHA-256 of a token, as an admin_token block's sha256
// holds it.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
