package privacycenter

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/seal"
)

// Token kinds, bound into each token so one kind never passes for another.
const (
	kindStatus   = "status"
	kindDownload = "download"
)

// maxTokenLength bounds what a link may carry before it is even decoded.
const maxTokenLength = 1024

// statusLinkTTL is how long a status link works: well past any deadline
// and the results' retention, after which the page has nothing to say.
const statusLinkTTL = 400 * 24 * time.Hour

// Errors of a token, tested with errors.Is.
var (
	// ErrForged: the token is malformed or was not made by this daemon's
	// keys.
	ErrForged = errors.New("link is not valid")
	// ErrExpired: the token is genuine but its time is over.
	ErrExpired = errors.New("link has expired")
)

// Claims are what a link token says.
type Claims struct {
	Kind      string    `json:"k"`
	RequestID string    `json:"r"`
	ExpiresAt time.Time `json:"e"`
	// Nonce tells download links of one request apart, each with its own
	// use count.
	Nonce string `json:"n,omitempty"`
}

// Tokens makes and reads link tokens: base64url of the claims sealed
// under the encryption key ring (AES-GCM authenticates and hides them).
type Tokens struct {
	keys *seal.KeyRing
}

// NewTokens returns a token maker over keys.
func NewTokens(keys *seal.KeyRing) *Tokens { return &Tokens{keys: keys} }

func aad(kind string) []byte { return []byte("dsrhost/privacy-center/" + kind) }

// Make returns the token for c.
func (t *Tokens) Make(c Claims) (string, error) {
	body, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("make %s link: %w", c.Kind, err)
	}
	sealed, err := t.keys.Seal(body, aad(c.Kind))
	if err != nil {
		return "", fmt.Errorf("make %s link: %w", c.Kind, err)
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Read checks a token of kind at now: ErrForged for anything this daemon
// did not make, ErrExpired (with the claims) for one whose time is over.
func (t *Tokens) Read(kind, token string, now time.Time) (Claims, error) {
	if len(token) > maxTokenLength {
		return Claims{}, ErrForged
	}
	sealed, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return Claims{}, ErrForged
	}
	body, err := t.keys.Open(sealed, aad(kind))
	if err != nil {
		return Claims{}, ErrForged
	}
	var c Claims
	if err := json.Unmarshal(body, &c); err != nil || c.Kind != kind || c.RequestID == "" {
		return Claims{}, ErrForged
	}
	if !now.Before(c.ExpiresAt) {
		return c, ErrExpired
	}
	return c, nil
}
