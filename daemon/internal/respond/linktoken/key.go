package linktoken

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
)

// KeySize is the size of a signing key, and the least a master key may have.
const KeySize = 32

// keyInfo separates the link-signing key from every other key derived from
// the same master key (the seal package's encryption and lookup keys), so
// knowing one reveals nothing about the others. The version lets a future
// token format use a fresh key.
const keyInfo = "dsrhost direct-contact link token v1"

// DeriveKey returns the signing key for a master key: the daemon's
// encryption_key (32 bytes), or one of its previous_encryption_keys for
// [Options.PreviousKeys], so rotating the encryption key rotates link keys
// too.
func DeriveKey(master []byte) ([]byte, error) {
	if len(master) < KeySize {
		return nil, fmt.Errorf("derive link key: the master key has %d bytes, want at least %d", len(master), KeySize)
	}
	k, err := hkdf.Key(sha256.New, master, nil, keyInfo, KeySize)
	if err != nil {
		return nil, fmt.Errorf("derive link key: %w", err)
	}
	return k, nil
}

// errShortKey refuses a key too short to sign with.
var errShortKey = errors.New("a link signing key needs at least 32 bytes")
