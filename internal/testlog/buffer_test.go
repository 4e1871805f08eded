package testlog

import (
	"strings"
	"sync"
	"testing"
)

func TestBufferConcurrentWrites(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				_, _ = b.Write([]byte("x"))
			}
		}()
	}
	wg.Wait()
	if got := len(b.String()); got != 800 {
		t.Fatalf("wrote 800 bytes from 8 goroutines, buffer holds %d", got)
	}
}

func TestBufferLimitDropsButReportsWritten(t *testing.T) {
	b := Buffer{Limit: 10}
	for range 5 {
		n, err := b.Write([]byte("abcdef"))
		if n != 6 || err != nil {
			t.Fatalf("Write = %d, %v; want 6, nil even past the limit", n, err)
		}
	}
	if got := b.String(); got != strings.Repeat("abcdef", 2) {
		t.Fatalf("buffer = %q; want the writes up to the first past the limit", got)
	}
	if got := string(b.Bytes()); got != b.String() {
		t.Fatalf("Bytes = %q, String = %q", got, b.String())
	}
}
