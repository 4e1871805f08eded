// Package testlog holds a log destination that tests hand to servers,
// plugins and hclog loggers writing from their own goroutines while the
// test reads what they wrote.
package testlog

import (
	"bytes"
	"sync"
)

// Buffer collects output written concurrently. The zero value is ready
// to use and keeps everything; a Limit keeps long-running processes from
// filling a test's memory with logs nobody reads past the first MiB.
type Buffer struct {
	// Limit, when positive, is the size past which writes are dropped
	// (and still reported as written, so the writer never stalls).
	Limit int

	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p unless the buffer is over its limit.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.Limit > 0 && b.buf.Len() > b.Limit {
		return len(p), nil
	}
	return b.buf.Write(p)
}

// Bytes returns a copy of what was written so far.
func (b *Buffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
