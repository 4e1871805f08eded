package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// An upload's files are sealed and written in chunks as they arrive, so an
// answer's files (up to 100 MiB) are never held whole in the daemon's
// memory. The chunks go to a staging hash of their own that expires unless
// a commit keeps it: a refused or broken upload is removed by the caller
// (Discard), and one cut short by a crash expires. The commit that records
// the answer renames the staging hash to the integration's files hash
// (resultKey + ":files") in the same script that writes the result, so the
// answer and its files land together or not at all, and the files are then
// purged with the result.

// UploadChunkSize is how much of a file one sealed chunk holds.
const UploadChunkSize = 1 << 20

// ErrUploadGone is returned by Commit when a staged upload it was to keep
// is no longer there (its staging time ran out); nothing was written.
var ErrUploadGone = errors.New("staged upload is gone")

// StoredFile is an uploaded file kept in chunks beside its result.
type StoredFile struct {
	Name        string
	ContentType string
	Size        int64
	// Upload and Index name the chunks: fields "<Index>/<n>" of the files
	// hash, sealed for the upload.
	Upload string
	Index  int
	Chunks int
}

// Upload stages the files of one answer. It is not safe for concurrent use.
type Upload struct {
	s     *Store
	id    string
	name  string
	ttl   time.Duration
	files []StoredFile
	// started: the staging hash may exist in Redis.
	started bool
	// buf holds the chunk being filled, sealed the chunk being written:
	// both reused, so an upload allocates no memory per byte.
	buf, sealed []byte
}

// NewUpload starts staging files for request id. Staged chunks expire ttl
// after the last one was written unless a commit keeps them.
func (s *Store) NewUpload(id string, ttl time.Duration) (*Upload, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("name upload: %w", err)
	}
	return &Upload{s: s, id: id, name: hex.EncodeToString(b), ttl: ttl}, nil
}

func (s *Store) uploadKey(id, upload string) string { return s.prefix + ":{" + id + "}:up:" + upload }
func (s *Store) filesKey(id string, w state.Workflow, name string) string {
	return s.resultKey(id, w, name) + ":files"
}

func chunkField(index, n int) string { return strconv.Itoa(index) + "/" + strconv.Itoa(n) }
func chunkAAD(upload string, index, n int) string {
	return "upload/" + upload + "/" + chunkField(index, n)
}

// Files lists the files staged so far, complete ones only.
func (u *Upload) Files() []StoredFile {
	if u == nil {
		return nil
	}
	return u.files
}

// Len is how many files are staged.
func (u *Upload) Len() int {
	if u == nil {
		return 0
	}
	return len(u.files)
}

// Size is how many bytes are staged in all files.
func (u *Upload) Size() int64 {
	var n int64
	for _, f := range u.files {
		n += f.Size
	}
	return n
}

// FileWriter seals one file in chunks as it is written. Close completes
// the file; a file left unclosed is not part of the upload (Discard
// removes its chunks with the rest).
type FileWriter struct {
	ctx  context.Context
	u    *Upload
	f    StoredFile
	done bool
}

// Create starts the upload's next file.
func (u *Upload) Create(ctx context.Context, name, contentType string) *FileWriter {
	if u.buf == nil {
		u.buf = make([]byte, 0, UploadChunkSize)
	}
	u.buf = u.buf[:0]
	return &FileWriter{ctx: ctx, u: u, f: StoredFile{Name: name, ContentType: contentType, Upload: u.name, Index: len(u.files)}}
}

// Write buffers p and stores each full chunk.
func (w *FileWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("write to a closed upload file")
	}
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), UploadChunkSize-len(w.u.buf))
		w.u.buf = append(w.u.buf, p[:k]...)
		p = p[k:]
		if len(w.u.buf) == UploadChunkSize {
			if err := w.flush(); err != nil {
				return n - len(p) - k, err
			}
		}
	}
	return n, nil
}

// Written is how many bytes the file holds so far.
func (w *FileWriter) Written() int64 { return w.f.Size + int64(len(w.u.buf)) }

// Close stores the last chunk and adds the file to the upload.
func (w *FileWriter) Close() error {
	if w.done {
		return nil
	}
	if len(w.u.buf) > 0 || w.f.Chunks == 0 {
		if err := w.flush(); err != nil {
			return err
		}
	}
	w.done = true
	w.u.files = append(w.u.files, w.f)
	return nil
}

// flush seals the buffered chunk and writes it to the staging hash,
// extending the hash's life.
func (w *FileWriter) flush() error {
	u := w.u
	sealed, err := u.s.ring.SealAppend(u.sealed[:0], u.buf, aad(u.id, chunkAAD(u.name, w.f.Index, w.f.Chunks)))
	if err != nil {
		return fmt.Errorf("seal upload chunk: %w", err)
	}
	u.sealed = sealed
	key := u.s.uploadKey(u.id, u.name)
	u.started = true
	_, err = u.s.rdb.TxPipelined(w.ctx, func(p redis.Pipeliner) error {
		p.HSet(w.ctx, key, chunkField(w.f.Index, w.f.Chunks), sealed)
		p.PExpire(w.ctx, key, u.ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store upload chunk: %w", err)
	}
	w.f.Size += int64(len(u.buf))
	w.f.Chunks++
	u.buf = u.buf[:0]
	return nil
}

// Discard removes whatever the upload staged. It is for an upload that
// will not be committed; after a commit it removes nothing (the staging
// hash has become the result's).
func (u *Upload) Discard(ctx context.Context) error {
	if u == nil || !u.started {
		return nil
	}
	if err := u.s.rdb.Del(ctx, u.s.uploadKey(u.id, u.name)).Err(); err != nil {
		return fmt.Errorf("remove staged upload: %w", err)
	}
	return nil
}

// Staged reports whether anything of the upload is in Redis, for tests
// and checks that a refused upload left nothing behind.
func (u *Upload) Staged(ctx context.Context) (bool, error) {
	n, err := u.s.rdb.Exists(ctx, u.s.uploadKey(u.id, u.name)).Result()
	return n > 0, err
}

// OpenStored reads an uploaded file of request id's result for
// integration name in w, one sealed chunk at a time: however large the
// file, no more than a chunk of it is held at once.
func (s *Store) OpenStored(ctx context.Context, id string, w state.Workflow, name string, f StoredFile) io.Reader {
	return &storedReader{ctx: ctx, s: s, id: id, w: w, name: name, f: f}
}

// storedReader reads a stored file's chunks in turn (see OpenStored).
type storedReader struct {
	ctx  context.Context
	s    *Store
	id   string
	w    state.Workflow
	name string
	f    StoredFile
	next int   // the next chunk to read
	read int64 // bytes returned so far
	buf  []byte
}

// Read implements io.Reader.
func (r *storedReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.next == r.f.Chunks {
			if r.read != r.f.Size {
				return 0, fmt.Errorf("uploaded file %d of %s in request %s: %d bytes, want %d", r.f.Index, r.name, r.id, r.read, r.f.Size)
			}
			return 0, io.EOF
		}
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.read += int64(n)
	return n, nil
}

// fill reads and opens the next chunk.
func (r *storedReader) fill() error {
	sealed, err := r.s.rdb.HGet(r.ctx, r.s.filesKey(r.id, r.w, r.name), chunkField(r.f.Index, r.next)).Bytes()
	if errors.Is(err, redis.Nil) {
		return fmt.Errorf("uploaded file %d of %s in request %s: chunk %d is missing", r.f.Index, r.name, r.id, r.next)
	}
	if err != nil {
		return fmt.Errorf("read uploaded file of %s in request %s: %w", r.name, r.id, err)
	}
	r.buf, err = r.s.ring.Open(sealed, aad(r.id, chunkAAD(r.f.Upload, r.f.Index, r.next)))
	if err != nil {
		return fmt.Errorf("open uploaded file of %s in request %s: %w", r.name, r.id, err)
	}
	r.next++
	return nil
}

// uploadMove is a staged upload a commit makes a result's files.
type uploadMove struct {
	workflow state.Workflow
	name     string
	upload   *Upload
}

// moves lists the staged uploads of the Tx's results.
func (tx *Tx) moves() []uploadMove {
	var out []uploadMove
	for _, r := range tx.results {
		if u := r.result.Upload; u != nil && u.started && u.id == tx.id {
			out = append(out, uploadMove{workflow: r.workflow, name: r.name, upload: u})
		}
	}
	return out
}

// Name is the file's name as stored.
func (w *FileWriter) Name() string { return w.f.Name }
