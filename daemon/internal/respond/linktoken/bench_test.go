package linktoken

import (
	"context"
	"github.com/dsrhost/dsrhost/internal/testclock"
	"strings"
	"testing"
)

// BenchmarkResponseURL measures making a link, once per Direct Contact job.
func BenchmarkResponseURL(b *testing.B) {
	s, _ := NewSigner(Options{Key: make([]byte, KeySize), PublicURL: "https://privacy.example.com", Clock: testclock.New(t0).Now})
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.ResponseURL(ctx, link()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures checking a token, once per page view or answer.
func BenchmarkVerify(b *testing.B) {
	s, _ := NewSigner(Options{Key: make([]byte, KeySize), PublicURL: "https://privacy.example.com", Clock: testclock.New(t0).Now})
	u, _ := s.ResponseURL(context.Background(), link())
	tok := strings.TrimPrefix(u, "https://privacy.example.com/respond/")
	for b.Loop() {
		if _, err := s.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}
