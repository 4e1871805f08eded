package seal

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a master key: 32 random bytes, written in
// configuration as base64 (openssl rand -base64 32).
const KeySize = 32

// Key is one master key and its id.
type Key struct {
	// ID names the key inside ciphertext. Derived from the secret when
	// empty, so the same secret always gets the same id.
	ID     string
	Secret []byte
}

// ParseKey reads a base64 master key as configuration writes it.
func ParseKey(b64 string) (Key, error) {
	secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return Key{}, errors.New("encryption key is not valid base64")
	}
	return NewKey(secret)
}

// NewKey returns a Key for a 32-byte secret, its id derived from it.
func NewKey(secret []byte) (Key, error) {
	if len(secret) != KeySize {
		return Key{}, fmt.Errorf("encryption key is %d bytes, want %d", len(secret), KeySize)
	}
	id, err := deriveID(secret)
	if err != nil {
		return Key{}, err
	}
	return Key{ID: id, Secret: append([]byte(nil), secret...)}, nil
}

// deriveID is 12 hex digits of an HKDF expansion: stable, short, and no
// help to anyone guessing the key.
func deriveID(secret []byte) (string, error) {
	b, err := hkdf.Key(sha256.New, secret, nil, "dsrhost key id v1", 6)
	if err != nil {
		return "", fmt.Errorf("derive key id: %w", err)
	}
	return hex.EncodeToString(b), nil
}
