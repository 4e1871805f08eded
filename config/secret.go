package config

// redacted is what a secret prints as.
const redacted = "(sensitive)"

// Secret is a string that must never reach a log, an error or the admin
// API: it prints, formats and marshals as "(sensitive)". Call Value for the
// real string.
type Secret string

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

// String hides the secret from fmt's %s, %v and %q.
func (s Secret) String() string { return redacted }

// GoString hides the secret from fmt's %#v.
func (s Secret) GoString() string { return redacted }

// MarshalText hides the secret from encoding/json and friends.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// KeySize is the length of an encryption key in bytes.
const KeySize = 32

// Key is an encryption key. Like [Secret] it prints as "(sensitive)".
type Key [KeySize]byte

// String hides the key from fmt.
func (k Key) String() string { return redacted }

// GoString hides the key from fmt's %#v.
func (k Key) GoString() string { return redacted }

// MarshalText hides the key from encoding/json and friends.
func (k Key) MarshalText() ([]byte, error) { return []byte(redacted), nil }
