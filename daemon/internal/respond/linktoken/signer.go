package linktoken

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// DefaultGrace is how long after the due date a link still works, so a
// processor who answers a little late (while the integration blocks the
// request, "Due # days ago") is still heard.
const DefaultGrace = 7 * 24 * time.Hour

// MaxTokenLength bounds what Verify reads; real tokens are a few hundred
// characters.
const MaxTokenLength = 4096

// Path is where links point below server.public_url; the daemon serves the
// answer page there.
const Path = "/respond/"

// Errors of Verify, tested with errors.Is. Their messages are meant for
// logs; the answer page words its own explanations.
var (
	// ErrInvalid: the token is malformed, or its signature does not match
	// (forged, altered, truncated, or signed under a key the daemon no
	// longer has).
	ErrInvalid = errors.New("link token is invalid")
	// ErrExpired: the signature is good but the grace period after the due
	// date has passed. Verify returns the claims with it.
	ErrExpired = errors.New("link token has expired")
)

// Options configure a Signer.
type Options struct {
	// Key signs new tokens; DeriveKey makes it from the encryption key.
	Key []byte
	// PreviousKeys still verify tokens signed before a key rotation.
	PreviousKeys [][]byte
	// PublicURL is server.public_url, the base of every link.
	PublicURL string
	// Grace is how long after the due date a link works (default 7 days).
	Grace time.Duration
	// Clock tells the time for expiry (default time.Now).
	Clock func() time.Time
}

// Signer makes and checks link tokens. It is safe for concurrent use.
type Signer struct {
	keys  [][]byte
	base  string
	grace time.Duration
	now   func() time.Time
}

// NewSigner checks the options and returns a Signer.
func NewSigner(opts Options) (*Signer, error) {
	if len(opts.Key) < KeySize {
		return nil, fmt.Errorf("link signer: %w", errShortKey)
	}
	keys := [][]byte{bytes.Clone(opts.Key)}
	for i, k := range opts.PreviousKeys {
		if len(k) < KeySize {
			return nil, fmt.Errorf("link signer: previous key %d: %w", i, errShortKey)
		}
		keys = append(keys, bytes.Clone(k))
	}
	base, err := baseURL(opts.PublicURL)
	if err != nil {
		return nil, err
	}
	s := &Signer{keys: keys, base: base, grace: opts.Grace, now: opts.Clock}
	if s.grace <= 0 {
		s.grace = DefaultGrace
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// baseURL checks server.public_url and drops a trailing slash.
func baseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("link signer: public URL %q must be an absolute http or https URL without query or fragment", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// Grace is how long after the due date links work.
func (s *Signer) Grace() time.Duration { return s.grace }

// ResponseURL makes the link a processor answers through, expiring Grace
// after the link's due date. Its signature is engine.ResponseURLFunc, so
// it can be passed as engine.Options.ResponseURL.
func (s *Signer) ResponseURL(_ context.Context, link engine.ResponseLink) (string, error) {
	w, err := state.ParseWorkflow(link.Workflow)
	if err != nil || w == state.WorkflowNone {
		return "", fmt.Errorf("response link for %s on request %s: unknown workflow state %q", link.Integration, link.RequestID, link.Workflow)
	}
	due := link.DueAt
	if due.IsZero() {
		// The engine always sets a due date; should it not, the link
		// still expires, as late as the default due date would allow.
		due = s.now().Add(engine.DefaultDueIn)
	}
	tok, err := s.Sign(Claims{RequestID: link.RequestID, Integration: link.Integration, Workflow: w,
		Attempt: link.Attempt, ExpiresAt: due.Add(s.grace)})
	if err != nil {
		return "", err
	}
	return s.base + Path + tok, nil
}

// payload is a token's signed content. Short names keep links short.
type payload struct {
	Version     int    `json:"v"`
	RequestID   string `json:"r"`
	Integration string `json:"i"`
	Workflow    string `json:"w"`
	Attempt     int    `json:"a"`
	ExpiresAt   int64  `json:"e"`
}

const tokenVersion = 1

var b64 = base64.RawURLEncoding

// Sign returns the token for c: base64url(JSON claims) "." base64url(MAC).
func (s *Signer) Sign(c Claims) (string, error) {
	if c.RequestID == "" || c.Integration == "" || c.Workflow == state.WorkflowNone || c.ExpiresAt.IsZero() || c.Attempt < 0 {
		return "", fmt.Errorf("sign link token: request id, integration, workflow state and expiry are required")
	}
	body, err := json.Marshal(payload{Version: tokenVersion, RequestID: c.RequestID, Integration: c.Integration,
		Workflow: c.Workflow.Code(), Attempt: c.Attempt, ExpiresAt: c.ExpiresAt.Unix()})
	if err != nil {
		return "", fmt.Errorf("sign link token: %w", err)
	}
	enc := b64.EncodeToString(body)
	return enc + "." + b64.EncodeToString(mac(s.keys[0], enc)), nil
}

// mac signs the encoded payload, prefixed with a label so a MAC made under
// this key for anything else can never pass for a token.
func mac(key []byte, encoded string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("dsrhost/respond/v1\x00"))
	h.Write([]byte(encoded))
	return h.Sum(nil)
}

// Verify checks a token's signature, then its expiry. A forged or
// malformed token fails with ErrInvalid and no claims; an expired one with
// ErrExpired and its claims, so the refusal can say when it expired.
func (s *Signer) Verify(token string) (Claims, error) {
	if len(token) > MaxTokenLength {
		return Claims{}, fmt.Errorf("%w: too long", ErrInvalid)
	}
	enc, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Claims{}, fmt.Errorf("%w: no signature", ErrInvalid)
	}
	got, err := b64.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return Claims{}, fmt.Errorf("%w: malformed signature", ErrInvalid)
	}
	good := false
	for _, k := range s.keys {
		if hmac.Equal(got, mac(k, enc)) {
			good = true
			break
		}
	}
	if !good {
		return Claims{}, fmt.Errorf("%w: signature does not match", ErrInvalid)
	}
	c, err := decode(enc)
	if err != nil {
		return Claims{}, err
	}
	if !s.now().Before(c.ExpiresAt) {
		return c, fmt.Errorf("%w: expired at %s", ErrExpired, c.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return c, nil
}

// decode reads a signed payload. It is strict even though the signature
// already vouches for it: a payload this daemon did not write is refused.
func decode(enc string) (Claims, error) {
	body, err := b64.DecodeString(enc)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: malformed payload", ErrInvalid)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var p payload
	if err := dec.Decode(&p); err != nil || p.Version != tokenVersion {
		return Claims{}, fmt.Errorf("%w: unreadable payload", ErrInvalid)
	}
	w, err := state.ParseWorkflow(p.Workflow)
	if err != nil || w == state.WorkflowNone || p.RequestID == "" || p.Integration == "" || p.Attempt < 0 || p.ExpiresAt <= 0 {
		return Claims{}, fmt.Errorf("%w: incomplete payload", ErrInvalid)
	}
	return Claims{RequestID: p.RequestID, Integration: p.Integration, Workflow: w, Attempt: p.Attempt,
		ExpiresAt: time.Unix(p.ExpiresAt, 0).UTC()}, nil
}
