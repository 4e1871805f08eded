package bench

import (
	"encoding/binary"
	"io"
)

// ulidEntropy makes the i-th id distinct from every other of the run
// without a shared random source.
func ulidEntropy(i int) io.Reader {
	var b [10]byte
	binary.BigEndian.PutUint64(b[2:], uint64(i))
	return &fixedReader{b: b[:]}
}

type fixedReader struct{ b []byte }

func (r *fixedReader) Read(p []byte) (int, error) {
	n := copy(p, r.b)
	r.b = r.b[n:]
	if n < len(p) {
		return n, io.ErrUnexpectedEOF
	}
	return n, nil
}
