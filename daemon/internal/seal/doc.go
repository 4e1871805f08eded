// Package seal encrypts personal data at rest and derives keyed hashes for
// looking it up, so that Redis never holds a subject's identifiers, records
// or files in plaintext.
//
// A [KeyRing] holds the daemon's encryption keys, each with a short id. The
// primary key encrypts; every key decrypts, so a key can be rotated by
// making a new one primary and keeping the old one until everything sealed
// under it has expired. Ciphertext is AES-256-GCM (crypto/cipher) and names
// the id of the key that sealed it. Each master key is expanded with HKDF
// into separate encryption and lookup keys, so a lookup hash reveals nothing
// about the encryption key and the reverse.
package seal
