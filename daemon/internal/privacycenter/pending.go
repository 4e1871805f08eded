package privacycenter

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/sdk"
)

// submission is a form sent but not yet verified. It lives sealed in
// Redis under the verification TTL and nowhere else.
type submission struct {
	Type       sdk.RequestType `json:"type"`
	Subject    sdk.Subject     `json:"subject"`
	Details    string          `json:"details,omitempty"`
	SecretHash string          `json:"secret"`
	ReceivedAt time.Time       `json:"received_at"`
	// Agent is who filed on the subject's behalf; nil for the subject.
	Agent *agentInfo `json:"agent,omitempty"`
}

// Errors of the pending store, tested with errors.Is.
var (
	// errGone: no such submission: it expired, or never was.
	errGone = errors.New("submission expired or unknown")
	// errVerified: the submission was verified already.
	errVerified = errors.New("submission already verified")
	// errBusy: another verification of it is under way.
	errBusy = errors.New("submission being verified")
)

// claimHold bounds a verification in progress: a daemon that dies while
// creating the request frees the submission after it.
const claimHold = time.Minute

// pendingStore keeps unverified submissions. Every key of one submission
// shares a hash tag, so a Cluster keeps them in one slot; none outlives
// the verification TTL.
type pendingStore struct {
	rdb    redis.UniversalClient
	prefix string
	keys   *seal.KeyRing
	ttl    time.Duration
}

func (p *pendingStore) key(id, part string) string {
	return p.prefix + ":{privacy:" + id + "}:" + part
}

// newID is a submission's id: 128 random bits, lower-case base32.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// newCode is a 6-digit verification code, uniform over 000000-999999.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// newLinkSecret is the secret of a verification link.
func newLinkSecret() string { return newID() + newID() }

func hashSecret(id, secret string) string {
	sum := sha256.Sum256([]byte(id + "\x00" + strings.TrimSpace(secret)))
	return hex.EncodeToString(sum[:])
}

// put stores s sealed under a new id.
func (p *pendingStore) put(ctx context.Context, s *submission, secret string) (string, error) {
	id := newID()
	s.SecretHash = hashSecret(id, secret)
	body, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("store submission: %w", err)
	}
	sealed, err := p.keys.Seal(body, []byte(p.key(id, "pending")))
	if err != nil {
		return "", fmt.Errorf("store submission: %w", err)
	}
	if err := p.rdb.Set(ctx, p.key(id, "pending"), sealed, p.ttl).Err(); err != nil {
		return "", fmt.Errorf("store submission: %w", err)
	}
	return id, nil
}

// get reads submission id: errVerified (with the request's id) when it was
// verified, errGone when it expired or never was.
func (p *pendingStore) get(ctx context.Context, id string) (*submission, string, error) {
	if !validID(id) {
		return nil, "", errGone
	}
	vals, err := p.rdb.MGet(ctx, p.key(id, "pending"), p.key(id, "verified")).Result()
	if err != nil {
		return nil, "", fmt.Errorf("read submission: %w", err)
	}
	if ref, ok := vals[1].(string); ok {
		return nil, ref, errVerified
	}
	raw, ok := vals[0].(string)
	if !ok {
		return nil, "", errGone
	}
	body, err := p.keys.Open([]byte(raw), []byte(p.key(id, "pending")))
	if err != nil {
		return nil, "", fmt.Errorf("open submission: %w", err)
	}
	var s submission
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, "", fmt.Errorf("read submission: %w", err)
	}
	return &s, "", nil
}

// try counts one verification attempt and returns the count.
func (p *pendingStore) try(ctx context.Context, id string) (int, error) {
	k := p.key(id, "tries")
	pipe := p.rdb.TxPipeline()
	n := pipe.Incr(ctx, k)
	pipe.Expire(ctx, k, p.ttl)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("count verification attempt: %w", err)
	}
	return int(n.Val()), nil
}

// matches reports whether secret is the submission's, in constant time.
func (s *submission) matches(id, secret string) bool {
	return subtle.ConstantTimeCompare([]byte(hashSecret(id, secret)), []byte(s.SecretHash)) == 1
}

// claim holds submission id while its request is created, so two
// verifications at once create one request.
func (p *pendingStore) claim(ctx context.Context, id string) error {
	ok, err := p.rdb.SetNX(ctx, p.key(id, "claim"), "1", claimHold).Result()
	if err != nil {
		return fmt.Errorf("claim submission: %w", err)
	}
	if !ok {
		return errBusy
	}
	return nil
}

// release frees a claim whose request could not be created: the
// submission stays, so the subject can try again.
func (p *pendingStore) release(ctx context.Context, id string) {
	_ = p.rdb.Del(ctx, p.key(id, "claim")).Err()
}

// verified replaces the submission by a marker naming its request (no
// personal data), kept for the rest of the TTL so a reused link is told
// apart from an expired one.
func (p *pendingStore) verified(ctx context.Context, id, requestID string) error {
	pipe := p.rdb.TxPipeline()
	pipe.Set(ctx, p.key(id, "verified"), requestID, p.ttl)
	pipe.Del(ctx, p.key(id, "pending"), p.key(id, "tries"), p.key(id, "claim"))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("mark submission verified: %w", err)
	}
	return nil
}

// burn deletes a submission after too many wrong codes.
func (p *pendingStore) burn(ctx context.Context, id string) error {
	return p.rdb.Del(ctx, p.key(id, "pending")).Err()
}

func validID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}
