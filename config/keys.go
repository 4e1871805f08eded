package config

import (
	"encoding/base64"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

const keyHelp = "An encryption key is 32 random bytes written in base64, as `openssl rand -base64 32` prints them"

// encryptionKey decodes encryption_key.
func (d *decoder) encryptionKey(a *hcl.Attribute) Key {
	defer d.sensitiveSince(len(d.diags), a.Expr)
	v, _, ok := d.str(a)
	if !ok {
		return Key{}
	}
	k, _ := d.key(v, a.Expr.Range())
	return k
}

// previousEncryptionKeys decodes previous_encryption_keys, a list of keys.
func (d *decoder) previousEncryptionKeys(a *hcl.Attribute) []Key {
	defer d.sensitiveSince(len(d.diags), a.Expr)
	list, ranges, _, ok := d.stringList(a)
	if !ok {
		return nil
	}
	keys := make([]Key, 0, len(list))
	for i, v := range list {
		if k, ok := d.key(v, ranges[i]); ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// key decodes one base64 key. Surrounding whitespace is ignored, so that
// file("key") works on a file ending in a newline. The diagnostics give
// the decoded length at most, never the value.
func (d *decoder) key(s string, rng hcl.Range) (Key, bool) {
	s = strings.TrimSpace(s)
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		d.errorAt(rng, "Invalid encryption key", "%s; this value is not base64.", keyHelp)
		return Key{}, false
	}
	if len(raw) != KeySize {
		d.errorAt(rng, "Invalid encryption key", "%s; this value decodes to %d bytes.", keyHelp, len(raw))
		return Key{}, false
	}
	var k Key
	copy(k[:], raw)
	return k, true
}
