package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrUnknownKey is returned when ciphertext names a key the ring lacks.
var ErrUnknownKey = errors.New("sealed with a key that is not in the key ring")

// ErrCorrupt is returned when ciphertext is malformed or fails
// authentication (wrong key, tampered data, or data moved between fields).
var ErrCorrupt = errors.New("sealed data is corrupt or was not sealed for this place")

const formatV1 = 1

type ringKey struct {
	id     string
	aead   cipher.AEAD
	lookup []byte
}

// KeyRing seals under its primary key and opens under any of its keys.
// It is safe for concurrent use.
type KeyRing struct {
	primary *ringKey
	byID    map[string]*ringKey
	order   []*ringKey
}

// NewKeyRing returns a ring that seals with primary and opens with primary
// and every older key.
func NewKeyRing(primary Key, older ...Key) (*KeyRing, error) {
	r := &KeyRing{byID: map[string]*ringKey{}}
	for i, k := range append([]Key{primary}, older...) {
		if k.ID == "" {
			nk, err := NewKey(k.Secret)
			if err != nil {
				return nil, err
			}
			k = nk
		}
		if len(k.Secret) != KeySize {
			return nil, fmt.Errorf("key %q is %d bytes, want %d", k.ID, len(k.Secret), KeySize)
		}
		if len(k.ID) > 255 {
			return nil, fmt.Errorf("key id is %d bytes, at most 255 allowed", len(k.ID))
		}
		if _, dup := r.byID[k.ID]; dup {
			return nil, fmt.Errorf("key id %q appears twice in the key ring", k.ID)
		}
		rk, err := expand(k)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			r.primary = rk
		}
		r.byID[k.ID] = rk
		r.order = append(r.order, rk)
	}
	return r, nil
}

func expand(k Key) (*ringKey, error) {
	enc, err := hkdf.Key(sha256.New, k.Secret, nil, "dsrhost seal v1", 32)
	if err != nil {
		return nil, fmt.Errorf("derive encryption key %q: %w", k.ID, err)
	}
	lookup, err := hkdf.Key(sha256.New, k.Secret, nil, "dsrhost lookup v1", 32)
	if err != nil {
		return nil, fmt.Errorf("derive lookup key %q: %w", k.ID, err)
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", k.ID, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", k.ID, err)
	}
	return &ringKey{id: k.ID, aead: aead, lookup: lookup}, nil
}

// PrimaryID is the id of the key that seals.
func (r *KeyRing) PrimaryID() string { return r.primary.id }

// Seal encrypts plaintext under the primary key. aad binds the ciphertext
// to where it is stored (for example a request id and field name): opening
// it with other aad fails, so sealed values cannot be moved between
// requests or fields.
//
// Layout: version byte, key id length, key id, 12-byte nonce, GCM output.
func (r *KeyRing) Seal(plaintext, aad []byte) ([]byte, error) {
	k := r.primary
	return r.SealAppend(make([]byte, 0, 2+len(k.id)+k.aead.NonceSize()+len(plaintext)+k.aead.Overhead()), plaintext, aad)
}

// SealAppend is Seal appending to dst, for a caller that seals many pieces
// (an upload's chunks) into one reused buffer. dst must not overlap
// plaintext.
func (r *KeyRing) SealAppend(dst, plaintext, aad []byte) ([]byte, error) {
	k := r.primary
	out := append(dst, formatV1, byte(len(k.id)))
	out = append(out, k.id...)
	start := len(out)
	out = append(out, make([]byte, k.aead.NonceSize())...)
	nonce := out[start:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: read nonce: %w", err)
	}
	return k.aead.Seal(out, nonce, plaintext, aad), nil
}

// Open decrypts what Seal returned, under whichever key sealed it.
func (r *KeyRing) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 2 || sealed[0] != formatV1 {
		return nil, ErrCorrupt
	}
	n := int(sealed[1])
	if len(sealed) < 2+n {
		return nil, ErrCorrupt
	}
	k, ok := r.byID[string(sealed[2:2+n])]
	if !ok {
		return nil, ErrUnknownKey
	}
	rest := sealed[2+n:]
	ns := k.aead.NonceSize()
	if len(rest) < ns+k.aead.Overhead() {
		return nil, ErrCorrupt
	}
	plain, err := k.aead.Open(nil, rest[:ns], rest[ns:], aad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}

// KeyID returns the id of the key that sealed a value, so a rotation can
// tell what still needs re-sealing.
func KeyID(sealed []byte) (string, error) {
	if len(sealed) < 2 || sealed[0] != formatV1 || len(sealed) < 2+int(sealed[1]) {
		return "", ErrCorrupt
	}
	return string(sealed[2 : 2+int(sealed[1])]), nil
}

// Lookup returns the keyed hash (HMAC-SHA256, hex) of value under the
// primary key, for storing an index entry. purpose separates hashes of the
// same value used for different things ("email", "phone").
func (r *KeyRing) Lookup(purpose, value string) string {
	return lookup(r.primary, purpose, value)
}

// Lookups returns the keyed hash of value under every key, primary first:
// a query must try them all to find entries written before a rotation.
func (r *KeyRing) Lookups(purpose, value string) []string {
	out := make([]string, 0, len(r.order))
	for _, k := range r.order {
		out = append(out, lookup(k, purpose, value))
	}
	return out
}

func lookup(k *ringKey, purpose, value string) string {
	m := hmac.New(sha256.New, k.lookup)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
