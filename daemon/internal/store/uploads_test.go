package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// stage writes files to a new upload in odd-sized pieces.
func stage(t *testing.T, s *Store, id string, ttl time.Duration, files ...sdk.File) *Upload {
	t.Helper()
	ctx := context.Background()
	u, err := s.NewUpload(id, ttl)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		w := u.Create(ctx, f.Name, f.ContentType)
		if _, err := io.CopyBuffer(w, bytes.NewReader(f.Content), make([]byte, 77777)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// directContactRequest stores an access request whose Direct Contact
// integration "dc" waits for its processor.
func directContactRequest(t *testing.T, rdb redis.UniversalClient) (*Store, string) {
	t.Helper()
	s := New(rdb, "t", testRing(t))
	id := ulid.Make().String()
	create(t, s, newRequest(id, sdk.RequestAccess, "ada@example.com"),
		&Integration{Name: "dc", Type: sdk.DirectContact, Workflow: state.Extracting, Status: state.Processing})
	return s, id
}

// TestUploadCommitAndPurge stages files, commits them with a result and
// purges them with it, on a single node and on a Cluster.
func TestUploadCommitAndPurge(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { testUploadCommitAndPurge(t, b.start(t)) })
	}
}

func testUploadCommitAndPurge(t *testing.T, rdb redis.UniversalClient) {
	s, id := directContactRequest(t, rdb)
	ctx := context.Background()
	secret := []byte("ada-lovelace-analytical-engine")
	files := []sdk.File{
		{Name: "big.bin", ContentType: "application/octet-stream", Content: append(randomBytes(t, 3*UploadChunkSize+5), secret...)},
		{Name: "empty.txt", ContentType: "text/plain", Content: []byte{}},
		{Name: "exact.bin", Content: randomBytes(t, UploadChunkSize)},
	}
	u := stage(t, s, id, time.Hour, files...)
	if u.Len() != 3 || u.Size() != int64(len(files[0].Content)+UploadChunkSize) {
		t.Fatalf("staged %d files of %d bytes", u.Len(), u.Size())
	}
	if ok, err := u.Staged(ctx); err != nil || !ok {
		t.Fatalf("Staged = %v, %v; want staged", ok, err)
	}
	if ttl := rdb.PTTL(ctx, s.uploadKey(id, u.name)).Val(); ttl <= 0 {
		t.Fatalf("staged upload has no expiry (PTTL %v)", ttl)
	}
	if bytes.Contains(testredis.Dump(t, rdb), secret) {
		t.Fatal("a staged chunk is stored in plaintext")
	}

	tx := s.NewTx(id)
	tx.PutResult(state.Extracting, "dc", &Result{Upload: u}, 0)
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := u.Staged(ctx); ok {
		t.Fatal("the staged upload remains after the commit")
	}
	if ttl := rdb.PTTL(ctx, s.filesKey(id, state.Extracting, "dc")).Val(); ttl != -1 {
		t.Fatalf("committed files expire (PTTL %v); want kept", ttl)
	}
	res, err := s.Results(ctx, id, []ResultKey{{state.Extracting, "dc"}})
	if err != nil {
		t.Fatal(err)
	}
	got := res[ResultKey{state.Extracting, "dc"}]
	if got == nil || len(got.Files) != 0 || len(got.Stored) != len(files) {
		t.Fatalf("result = %+v, want %d stored files and none read", got, len(files))
	}
	for i, f := range files {
		g := got.Stored[i]
		content, err := io.ReadAll(s.OpenStored(ctx, id, state.Extracting, "dc", g))
		if err != nil {
			t.Fatal(err)
		}
		if g.Name != f.Name || g.ContentType != f.ContentType || g.Size != int64(len(f.Content)) || !bytes.Equal(content, f.Content) {
			t.Errorf("file %d = %q (%d bytes), want %q (%d bytes) byte-identical", i, g.Name, len(content), f.Name, len(f.Content))
		}
	}
	// A chunk gone (purged under a reader) is an error, not a short file.
	missing := got.Stored[0]
	if err := rdb.HDel(ctx, s.filesKey(id, state.Extracting, "dc"), chunkField(missing.Index, missing.Chunks-1)).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(s.OpenStored(ctx, id, state.Extracting, "dc", missing)); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("reading a file with a chunk gone: %v, want a missing-chunk error", err)
	}

	// Purging the result purges its files.
	tx = s.NewTx(id)
	tx.ExpireResult(state.Extracting, "dc", time.Minute)
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, s.filesKey(id, state.Extracting, "dc")).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("files PTTL after ExpireResult = %v, want about a minute", ttl)
	}
}

func TestUploadDiscardAndExpiry(t *testing.T) {
	s, id := directContactRequest(t, testredis.Start(t).Client)
	ctx := context.Background()

	u := stage(t, s, id, time.Hour, sdk.File{Name: "a", Content: randomBytes(t, 2*UploadChunkSize)})
	if err := u.Discard(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := u.Staged(ctx); ok {
		t.Fatal("the staged upload remains after Discard")
	}

	// An upload whose staging ran out cannot be committed, and the commit
	// writes nothing.
	u = stage(t, s, id, 50*time.Millisecond, sdk.File{Name: "b", Content: []byte("late")})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if ok, _ := u.Staged(ctx); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("staged upload did not expire")
		}
		time.Sleep(20 * time.Millisecond)
	}
	before, err := s.History(ctx, id, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	tx := s.NewTx(id)
	tx.PutResult(state.Extracting, "dc", &Result{Upload: u}, 0)
	tx.Append(Event{Time: t0, Kind: "integration.answered"})
	if _, err := s.Commit(ctx, tx); !errors.Is(err, ErrUploadGone) {
		t.Fatalf("Commit = %v, want ErrUploadGone", err)
	}
	res, err := s.Results(ctx, id, []ResultKey{{state.Extracting, "dc"}})
	if err != nil || len(res) != 0 {
		t.Fatalf("Results after a refused commit = %v, %v; want none", res, err)
	}
	if h, _ := s.History(ctx, id, "", 0); len(h) != len(before) {
		t.Fatalf("history after a refused commit holds %d entries, want %d", len(h), len(before))
	}
}
