package linktoken

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/internal/testclock"
)

var (
	t0  = time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)
	due = t0.Add(14 * 24 * time.Hour)
)

const requestID = "01JBQ7ZKX3M4N5P6Q7R8S9T0VW"

func key(t *testing.T, seed byte) []byte {
	t.Helper()
	master := make([]byte, 32)
	for i := range master {
		master[i] = seed + byte(i)
	}
	k, err := DeriveKey(master)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newSigner(t *testing.T, clock *testclock.Clock, k []byte, previous ...[]byte) *Signer {
	t.Helper()
	s, err := NewSigner(Options{Key: k, PreviousKeys: previous, PublicURL: "https://privacy.example.com/", Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func link() engine.ResponseLink {
	return engine.ResponseLink{RequestID: requestID, Integration: "acme-support", Workflow: "pending_delete", Attempt: 2, DueAt: due}
}

// tokenOf cuts the token out of a link.
func tokenOf(t *testing.T, u string) string {
	t.Helper()
	tok, ok := strings.CutPrefix(u, "https://privacy.example.com/respond/")
	if !ok {
		t.Fatalf("link %q is not below https://privacy.example.com/respond/", u)
	}
	return tok
}

func TestResponseURLRoundTrip(t *testing.T) {
	clock := testclock.New(t0)
	s := newSigner(t, clock, key(t, 1))
	u, err := s.ResponseURL(context.Background(), link())
	if err != nil {
		t.Fatal(err)
	}
	tok := tokenOf(t, u)
	if !regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`).MatchString(tok) {
		t.Errorf("token %q is not URL-safe base64url", tok)
	}
	if esc := url.PathEscape(tok); esc != tok {
		t.Errorf("token needs escaping in a path: %q", esc)
	}
	got, err := s.Verify(tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := Claims{RequestID: requestID, Integration: "acme-support", Workflow: state.PendingDelete, Attempt: 2,
		ExpiresAt: due.Add(DefaultGrace)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	if got.ID() != requestID+"/pending_delete/acme-support/2" {
		t.Errorf("ID %q", got.ID())
	}
}

// TestPayloadHoldsIdsOnly decodes a token's payload: ids, the workflow
// state, the attempt and an expiry, nothing else.
func TestPayloadHoldsIdsOnly(t *testing.T) {
	s := newSigner(t, testclock.New(t0), key(t, 1))
	tok, err := s.Sign(Claims{RequestID: requestID, Integration: "acme-support", Workflow: state.Extracting, Attempt: 1, ExpiresAt: due})
	if err != nil {
		t.Fatal(err)
	}
	enc, _, _ := strings.Cut(tok, ".")
	body, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"v": 1.0, "r": requestID, "i": "acme-support", "w": "extracting", "a": 1.0, "e": float64(due.Unix())}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}
}

// TestTamperedTokensAreRefused changes each signed field in turn, keeping
// the original signature, and expects ErrInvalid.
func TestTamperedTokensAreRefused(t *testing.T) {
	s := newSigner(t, testclock.New(t0), key(t, 1))
	tok, err := s.Sign(Claims{RequestID: requestID, Integration: "acme-support", Workflow: state.Extracting, Attempt: 1, ExpiresAt: due})
	if err != nil {
		t.Fatal(err)
	}
	enc, sig, _ := strings.Cut(tok, ".")
	body, _ := base64.RawURLEncoding.DecodeString(enc)
	resign := func(edit func(p map[string]any)) string {
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		edit(p)
		b, _ := json.Marshal(p)
		return base64.RawURLEncoding.EncodeToString(b) + "." + sig
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	cases := []struct {
		name  string
		token string
	}{
		{"request id", resign(func(p map[string]any) { p["r"] = "01JBQ7ZKX3M4N5P6Q7R8S9T0VX" })},
		{"integration", resign(func(p map[string]any) { p["i"] = "other-vendor" })},
		{"workflow state", resign(func(p map[string]any) { p["w"] = "pending_delete" })},
		{"attempt", resign(func(p map[string]any) { p["a"] = 2 })},
		{"expiry", resign(func(p map[string]any) { p["e"] = due.Add(365 * 24 * time.Hour).Unix() })},
		{"version", resign(func(p map[string]any) { p["v"] = 2 })},
		{"extra field", resign(func(p map[string]any) { p["x"] = "y" })},
		{"payload byte", flip(enc, len(enc)/2) + "." + sig},
		{"signature byte", enc + "." + flip(sig, 3)},
		{"truncated signature", enc + "." + sig[:len(sig)-2]},
		{"no signature", enc},
		{"empty", ""},
		{"dot only", "."},
		{"not base64", "!!!." + sig},
		{"too long", strings.Repeat("A", MaxTokenLength) + "." + sig},
		{"signature of another token", resign(func(p map[string]any) { p["i"] = "x" })[:len(enc)] + "." + sig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := s.Verify(tc.token)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Verify: %v, want ErrInvalid", err)
			}
			if c != (Claims{}) {
				t.Errorf("claims %+v returned for an invalid token", c)
			}
		})
	}
}

func TestWrongKeyIsRefused(t *testing.T) {
	clock := testclock.New(t0)
	other := newSigner(t, clock, key(t, 9))
	u, err := other.ResponseURL(context.Background(), link())
	if err != nil {
		t.Fatal(err)
	}
	s := newSigner(t, clock, key(t, 1))
	if _, err := s.Verify(tokenOf(t, u)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Verify under another key: %v, want ErrInvalid", err)
	}
}

// TestRotation: a token signed under the previous key still verifies
// after the key rotates; new tokens are signed under the new key only.
func TestRotation(t *testing.T) {
	clock := testclock.New(t0)
	oldKey, newKey := key(t, 1), key(t, 2)
	before := newSigner(t, clock, oldKey)
	u, err := before.ResponseURL(context.Background(), link())
	if err != nil {
		t.Fatal(err)
	}
	after := newSigner(t, clock, newKey, oldKey)
	if _, err := after.Verify(tokenOf(t, u)); err != nil {
		t.Fatalf("token under the previous key: %v", err)
	}
	fresh, err := after.ResponseURL(context.Background(), link())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := before.Verify(tokenOf(t, fresh)); !errors.Is(err, ErrInvalid) {
		t.Errorf("a new token verified under the old key alone: %v", err)
	}
}

// TestExpiry moves the clock past due date plus grace.
func TestExpiry(t *testing.T) {
	clock := testclock.New(t0)
	s := newSigner(t, clock, key(t, 1))
	u, err := s.ResponseURL(context.Background(), link())
	if err != nil {
		t.Fatal(err)
	}
	tok := tokenOf(t, u)
	for _, tc := range []struct {
		name string
		at   time.Time
		want error
	}{
		{"when sent", t0, nil},
		{"at the due date", due, nil},
		{"overdue, within grace", due.Add(6 * 24 * time.Hour), nil},
		{"a second before expiry", due.Add(DefaultGrace - time.Second), nil},
		{"at expiry", due.Add(DefaultGrace), ErrExpired},
		{"long after", due.Add(400 * 24 * time.Hour), ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock.Set(tc.at)
			c, err := s.Verify(tok)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Verify: %v, want %v", err, tc.want)
			}
			if c.RequestID != requestID || !c.ExpiresAt.Equal(due.Add(DefaultGrace)) {
				t.Errorf("claims %+v: want the token's, with its expiry", c)
			}
		})
	}
}

func TestGraceOption(t *testing.T) {
	s, err := NewSigner(Options{Key: key(t, 1), PublicURL: "http://127.0.0.1:8700", Grace: time.Hour, Clock: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.ResponseURL(context.Background(), link())
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Verify(strings.TrimPrefix(u, "http://127.0.0.1:8700/respond/"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.ExpiresAt.Equal(due.Add(time.Hour)) {
		t.Errorf("expires %v, want due + 1h", c.ExpiresAt)
	}
}

func TestNewSignerRefuses(t *testing.T) {
	good := key(t, 1)
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"short key", Options{Key: good[:16], PublicURL: "https://x.example"}, "at least 32 bytes"},
		{"short previous key", Options{Key: good, PreviousKeys: [][]byte{good[:8]}, PublicURL: "https://x.example"}, "previous key 0"},
		{"relative URL", Options{Key: good, PublicURL: "/respond"}, "absolute http or https"},
		{"other scheme", Options{Key: good, PublicURL: "ftp://x.example"}, "absolute http or https"},
		{"query", Options{Key: good, PublicURL: "https://x.example/?a=b"}, "without query"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSigner(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewSigner: %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if _, err := DeriveKey(make([]byte, 16)); err == nil {
		t.Error("DeriveKey accepted a 16-byte master key")
	}
}

// TestDeriveKey: the same master key gives the same signing key, another
// master key another one, and the signing key is not the master key.
func TestDeriveKey(t *testing.T) {
	master := make([]byte, 32)
	a, _ := DeriveKey(master)
	b, _ := DeriveKey(master)
	master[0] = 1
	c, _ := DeriveKey(master)
	if string(a) != string(b) || string(a) == string(c) || len(a) != KeySize || string(a) == string(make([]byte, 32)) {
		t.Errorf("DeriveKey is not a deterministic, key-dependent 32-byte derivation")
	}
}

func TestResponseURLRefusesUnknownWorkflow(t *testing.T) {
	s := newSigner(t, testclock.New(t0), key(t, 1))
	l := link()
	for _, w := range []string{"", "none", "reply"} {
		l.Workflow = w
		if _, err := s.ResponseURL(context.Background(), l); err == nil {
			t.Errorf("workflow %q: made a link", w)
		}
	}
}
