package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func newKey(t *testing.T) Key {
	t.Helper()
	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	k, err := NewKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	ring, err := NewKeyRing(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"email":"ada@example.com"}`)
	sealed, err := ring.Seal(plain, []byte("req1/subject"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("ada@example.com")) {
		t.Fatal("sealed value holds the plaintext")
	}
	got, err := ring.Open(sealed, []byte("req1/subject"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, want %q", got, plain)
	}
	if id, _ := KeyID(sealed); id != ring.PrimaryID() {
		t.Errorf("KeyID = %q, want %q", id, ring.PrimaryID())
	}
}

func TestOpenRejects(t *testing.T) {
	ring, err := NewKeyRing(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewKeyRing(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := ring.Seal([]byte("records"), []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name string
		ring *KeyRing
		data []byte
		aad  string
		want error
	}{
		{"other aad", ring, sealed, "b", ErrCorrupt},
		{"tampered", ring, tampered, "a", ErrCorrupt},
		{"unknown key", other, sealed, "a", ErrUnknownKey},
		{"empty", ring, nil, "a", ErrCorrupt},
		{"truncated", ring, sealed[:5], "a", ErrCorrupt},
		{"bad version", ring, append([]byte{9}, sealed[1:]...), "a", ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.ring.Open(tt.data, []byte(tt.aad))
			if !errors.Is(err, tt.want) {
				t.Errorf("Open error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	oldKey, newK := newKey(t), newKey(t)
	before, err := NewKeyRing(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	sealedOld, err := before.Seal([]byte("v"), nil)
	if err != nil {
		t.Fatal(err)
	}
	after, err := NewKeyRing(newK, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := after.Open(sealedOld, nil); err != nil || string(got) != "v" {
		t.Fatalf("old ciphertext after rotation: %q, %v", got, err)
	}
	sealedNew, err := after.Seal([]byte("v"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := KeyID(sealedNew); id != newK.ID {
		t.Errorf("new ciphertext sealed under %q, want the primary %q", id, newK.ID)
	}
	// A lookup written before the rotation is still found.
	written := before.Lookup("email", "ada@example.com")
	found := false
	for _, h := range after.Lookups("email", "ada@example.com") {
		found = found || h == written
	}
	if !found {
		t.Error("lookup hash written before rotation not among Lookups after it")
	}
}

func TestLookup(t *testing.T) {
	k := newKey(t)
	ring, err := NewKeyRing(k)
	if err != nil {
		t.Fatal(err)
	}
	h := ring.Lookup("email", "ada@example.com")
	if strings.Contains(h, "ada") || len(h) != 64 {
		t.Errorf("Lookup = %q", h)
	}
	if h != ring.Lookup("email", "ada@example.com") {
		t.Error("Lookup is not stable")
	}
	if h == ring.Lookup("phone", "ada@example.com") {
		t.Error("purposes share hashes")
	}
	other, _ := NewKeyRing(newKey(t))
	if h == other.Lookup("email", "ada@example.com") {
		t.Error("different keys give the same hash")
	}
}

func TestParseKey(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, KeySize)
	k, err := ParseKey(base64.StdEncoding.EncodeToString(secret) + "\n")
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := NewKey(secret)
	if k.ID != k2.ID || len(k.ID) != 12 {
		t.Errorf("ids %q, %q", k.ID, k2.ID)
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	if _, err := NewKeyRing(k, k); err == nil {
		t.Error("NewKeyRing accepted a duplicate key")
	}
}

// TestSealAppendReusesBuffer seals pieces into one reused buffer, as an
// upload does, and each opens to its own plaintext.
func TestSealAppendReusesBuffer(t *testing.T) {
	ring, err := NewKeyRing(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	for i, plain := range [][]byte{[]byte("first chunk"), bytes.Repeat([]byte("second "), 100), {}} {
		sealed, err := ring.SealAppend(buf[:0], plain, []byte("req1/upload"))
		if err != nil {
			t.Fatal(err)
		}
		if &sealed[0] != &buf[:1][0] {
			t.Errorf("piece %d: SealAppend did not reuse the buffer", i)
		}
		got, err := ring.Open(sealed, []byte("req1/upload"))
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("piece %d: Open = %q, %v; want %q", i, got, err, plain)
		}
	}
}
