package respond_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/dsrhost/dsrhost/daemon/internal/archive"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/respond/linktoken"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"github.com/dsrhost/dsrhost/sdk"
)

func randomContent(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func tokenOf(link string) string {
	_, tok, _ := strings.Cut(link, linktoken.Path)
	return tok
}

func codeOf(err error) connect.Code {
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce.Code()
	}
	return 0
}

// staged counts what uploads to request id left in Redis: staging hashes,
// and files of the integration's result.
func (e *env) staged(id string) (staging, files int) {
	e.t.Helper()
	ctx := context.Background()
	keys, err := e.w.rdb.Keys(ctx, e.prefix+":{"+id+"}:*").Result()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, k := range keys {
		switch {
		case strings.Contains(k, "}:up:"):
			staging++
		case strings.HasSuffix(k, ":files"):
			files++
		}
	}
	return staging, files
}

// waitNothingStaged waits for a refused or broken upload's chunks to be
// removed (the server notices a client gone on its own time).
func (e *env) waitNothingStaged(id string) {
	e.t.Helper()
	waitFor(e.t, "the upload's chunks to be removed", func() (bool, string) {
		s, f := e.staged(id)
		return s == 0 && f == 0, "staging hashes and files hashes remain"
	})
}

// exported writes the request's export archive and returns its uploaded
// files by name.
func (e *env) exported(id string) map[string][]byte {
	e.t.Helper()
	ctx := context.Background()
	results, err := e.engine.Results(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := archive.Write(ctx, &buf, e.get(id), results, archive.Options{Now: time.Now()}); err != nil {
		e.t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "files/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			e.t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			e.t.Fatal(err)
		}
		out[f.Name[strings.LastIndex(f.Name, "/")+1:]] = b
	}
	return out
}

func checkExported(t *testing.T, got map[string][]byte, want map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("the export holds %d files, want %d", len(got), len(want))
	}
	for name, content := range want {
		if !bytes.Equal(got[name], content) {
			t.Errorf("exported %s: %d bytes, want the %d bytes uploaded, byte-identical", name, len(got[name]), len(content))
		}
	}
}

// streamAnswer sends a SubmitResponseStream: start, then each file in
// chunks of chunk bytes.
func streamAnswer(ctx context.Context, client adminv1connect.DirectContactServiceClient, tok string, answer adminv1.DirectContactAnswer, chunk int, files ...upload) (*connect.Response[adminv1.SubmitResponseStreamResponse], error) {
	s := client.SubmitResponseStream(ctx)
	send := func(m *adminv1.SubmitResponseStreamRequest) bool { return s.Send(m) == nil }
	ok := send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Start{
		Start: &adminv1.SubmitResponseStart{Token: tok, Answer: answer}}})
	for _, f := range files {
		if !ok {
			break
		}
		ok = send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_FileStart{
			FileStart: &adminv1.UploadFileStart{Name: f.name, ContentType: f.contentType}}})
		for c := f.content; ok && len(c) > 0; {
			n := min(chunk, len(c))
			ok = send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Chunk{Chunk: c[:n]}})
			c = c[n:]
		}
	}
	return s.CloseAndReceive()
}

// TestSubmitResponseStream answers through the streaming RPC: files in
// many chunks land byte-identical in the export; a refused link, a file
// over a limit or a malformed stream keeps nothing and leaves the link
// working.
func TestSubmitResponseStream(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	filesUploaded := adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED

	t.Run("files in chunks", func(t *testing.T) {
		e := w.env(t, envOptions{})
		client := adminv1connect.NewDirectContactServiceClient(http.DefaultClient, e.srv.URL)
		id := e.request(sdk.RequestAccess)
		tok := tokenOf(e.link(id))
		big := randomContent(t, 3<<20+12345)
		csv := []byte("email,plan\nada.lovelace@example.org,gold\n")
		resp, err := streamAnswer(ctx, client, tok, filesUploaded, 256<<10,
			upload{name: "mailbox.mbox", contentType: "application/mbox", content: big},
			upload{name: `C:\exports\plans.csv`, contentType: "text/csv", content: csv},
			upload{name: "empty.txt", contentType: "text/plain"})
		if err != nil {
			t.Fatalf("SubmitResponseStream: %v", err)
		}
		if got := resp.Msg.GetLabel(); got != "Complete 3 of files uploaded" {
			t.Errorf("label %q", got)
		}
		checkExported(t, e.exported(id), map[string][]byte{"mailbox.mbox": big, "plans.csv": csv, "empty.txt": {}})
		if s, f := e.staged(id); s != 0 || f != 1 {
			t.Errorf("after the answer: %d staging hashes (want 0), %d files hashes (want 1)", s, f)
		}
		_, err = streamAnswer(ctx, client, tok, filesUploaded, 1024, upload{name: "again.txt", content: []byte("x")})
		if codeOf(err) != connect.CodePermissionDenied || !strings.Contains(err.Error(), "already been used") {
			t.Errorf("reuse: %v", err)
		}
	})

	t.Run("refused", func(t *testing.T) {
		e := w.env(t, envOptions{limits: limits(2, 1024, 1536)})
		client := adminv1connect.NewDirectContactServiceClient(http.DefaultClient, e.srv.URL)
		id := e.request(sdk.RequestAccess)
		tok := tokenOf(e.link(id))
		small := upload{name: "a.txt", content: make([]byte, 600)}
		for _, tc := range []struct {
			name   string
			tok    string
			answer adminv1.DirectContactAnswer
			files  []upload
			code   connect.Code
			says   string
		}{
			{"a forged link", flip(tok), filesUploaded, []upload{small}, connect.CodePermissionDenied, "This link is not valid."},
			{"a file over 1 KiB", tok, filesUploaded, []upload{{name: "big.csv", content: make([]byte, 1025)}}, connect.CodeResourceExhausted, `"big.csv" is larger than the 1 KiB`},
			{"over 1.5 KiB together", tok, filesUploaded, []upload{{name: "1", content: make([]byte, 1000)}, {name: "2", content: make([]byte, 1000)}}, connect.CodeResourceExhausted, "larger than the 1536 bytes"},
			{"three files", tok, filesUploaded, []upload{small, small, small}, connect.CodeResourceExhausted, "At most 2 files"},
			{"files with no data", tok, adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_NO_FILES, []upload{small}, connect.CodeInvalidArgument, "files: "},
		} {
			_, err := streamAnswer(ctx, client, tc.tok, tc.answer, 256, tc.files...)
			if codeOf(err) != tc.code || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%s: %v, want %s saying %q", tc.name, err, tc.code, tc.says)
			}
			e.waitNothingStaged(id)
		}

		// A message over the stream's limit is refused as it is read,
		// before its token is looked at.
		s := client.SubmitResponseStream(ctx)
		_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Start{
			Start: &adminv1.SubmitResponseStart{Token: flip(tok), Answer: filesUploaded, Note: strings.Repeat("n", 2<<20)}}})
		if _, err := s.CloseAndReceive(); codeOf(err) != connect.CodeResourceExhausted {
			t.Errorf("a 2 MiB message: %v, want resource_exhausted", err)
		}

		// A chunk before any file_start, and a stream with no start.
		s = client.SubmitResponseStream(ctx)
		_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Start{
			Start: &adminv1.SubmitResponseStart{Token: tok, Answer: filesUploaded}}})
		_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Chunk{Chunk: []byte("x")}})
		if _, err := s.CloseAndReceive(); codeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "chunk: ") {
			t.Errorf("chunk before file_start: %v", err)
		}
		s = client.SubmitResponseStream(ctx)
		_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Chunk{Chunk: []byte("x")}})
		if _, err := s.CloseAndReceive(); codeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "start: ") {
			t.Errorf("no start: %v", err)
		}
		e.waitNothingStaged(id)
		if got := e.state(id, state.Extracting).Label; got != "Processing Due in 14 days" {
			t.Fatalf("label %q after refused streams", got)
		}
		resp, err := streamAnswer(ctx, client, tok, filesUploaded, 100, small)
		if err != nil || resp.Msg.GetLabel() != "Complete 1 of files uploaded" {
			t.Fatalf("the link after refusals: %v", err)
		}
	})
}

// TestUploadCutOff breaks uploads midway, as a client that goes away
// does: nothing is committed, no chunk remains, and the link still works.
func TestUploadCutOff(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()

	t.Run("answer page", func(t *testing.T) {
		e := w.env(t, envOptions{})
		id := e.request(sdk.RequestAccess)
		link := e.link(id)
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		sent := make(chan struct{})
		go func() {
			_ = mw.WriteField("answer", "files_uploaded")
			part, _ := mw.CreateFormFile("files", "half.bin")
			_, _ = part.Write(randomContent(t, 3<<20))
			close(sent)
			// The client goes away: the connection is closed mid-file.
			<-time.After(200 * time.Millisecond)
			_ = pw.CloseWithError(errors.New("client gone"))
		}()
		req, err := http.NewRequest(http.MethodPost, link, pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Fatalf("a broken upload was answered %d", resp.StatusCode)
			}
		}
		<-sent
		e.waitNothingStaged(id)
		if got := e.state(id, state.Extracting).Label; got != "Processing Due in 14 days" {
			t.Fatalf("label %q after a broken upload", got)
		}
		if got := e.history(id, engine.EventAnswer); len(got) != 0 {
			t.Fatalf("history records %d answers after a broken upload", len(got))
		}
		content := randomContent(t, 2<<20)
		done := postAnswer(t, link, "files_uploaded", "", upload{name: "whole.bin", contentType: "application/octet-stream", content: content})
		done.want(t, http.StatusOK)
		done.has(t, "Complete 1 of files uploaded")
		checkExported(t, e.exported(id), map[string][]byte{"whole.bin": content})
	})

	t.Run("stream", func(t *testing.T) {
		e := w.env(t, envOptions{})
		client := adminv1connect.NewDirectContactServiceClient(http.DefaultClient, e.srv.URL)
		id := e.request(sdk.RequestAccess)
		tok := tokenOf(e.link(id))
		cctx, cancel := context.WithCancel(ctx)
		s := client.SubmitResponseStream(cctx)
		_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Start{
			Start: &adminv1.SubmitResponseStart{Token: tok, Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED}}})
		_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_FileStart{
			FileStart: &adminv1.UploadFileStart{Name: "half.bin"}}})
		for range 3 {
			_ = s.Send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Chunk{Chunk: randomContent(t, 1<<20)}})
		}
		// Wait until the server has stored chunks, then go away.
		waitFor(t, "the first chunks to be staged", func() (bool, string) {
			s, _ := e.staged(id)
			return s == 1, "nothing staged yet"
		})
		cancel()
		_, _ = s.CloseAndReceive()
		e.waitNothingStaged(id)
		if got := e.state(id, state.Extracting).Label; got != "Processing Due in 14 days" {
			t.Fatalf("label %q after a broken stream", got)
		}
		resp, err := streamAnswer(ctx, client, tok, adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED, 1<<20,
			upload{name: "whole.bin", content: []byte("all of it")})
		if err != nil || resp.Msg.GetLabel() != "Complete 1 of files uploaded" {
			t.Fatalf("the link after a broken stream: %v", err)
		}
	})
}

// TestRestartAfterPartialUpload leaves what a daemon killed mid-upload
// leaves (chunks staged, never discarded), restarts the daemon, and
// answers through the same link: the answer is accepted with its own
// files only, and the leftover expires on its own.
func TestRestartAfterPartialUpload(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	e := w.env(t, envOptions{})
	id := e.request(sdk.RequestAccess)
	link := e.link(id)

	up, err := e.engine.NewUpload(id, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	fw := up.Create(ctx, "cut-off.bin", "application/octet-stream")
	if _, err := fw.Write(randomContent(t, 2<<20+7)); err != nil {
		t.Fatal(err)
	}
	e.restart()

	content := randomContent(t, 1<<20+3)
	done := postAnswer(t, link, "files_uploaded", "", upload{name: "after-restart.bin", contentType: "application/octet-stream", content: content})
	done.want(t, http.StatusOK)
	done.has(t, "Complete 1 of files uploaded")
	checkExported(t, e.exported(id), map[string][]byte{"after-restart.bin": content})

	keys, err := w.rdb.Keys(ctx, e.prefix+":{"+id+"}:up:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("staging hashes after the restart: %q, %v; want the crashed upload's only", keys, err)
	}
	if ttl := w.rdb.PTTL(ctx, keys[0]).Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("the crashed upload's chunks expire in %v, want within the hour", ttl)
	}
	again := postAnswer(t, link, "no_data", "")
	again.want(t, http.StatusGone)
}
