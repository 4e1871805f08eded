package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// TestStreamedUploadThroughDaemon answers the dev daemon's Direct
// Contact processor through the admin API's SubmitResponseStream, as an
// API client would (no bearer token, the emailed link's token), with a
// file of several chunks; `dsrhost request export` then holds it byte for
// byte.
func TestStreamedUploadThroughDaemon(t *testing.T) {
	t.Parallel()
	bin, addr, d := startDevMode(t)

	out := cli(t, bin, addr, "request", "create", "-type", "access", "-email", "ada@example.com")
	id := regexp.MustCompile(`request ([0-9A-Z]{26})`).FindStringSubmatch(out)[1]
	cli(t, bin, addr, "request", "approve", id)
	linkRE := regexp.MustCompile(`http://` + regexp.QuoteMeta(addr) + `/respond/(\S+)`)
	var token string
	waitFor(t, "the processor's link in the log", func() bool {
		m := linkRE.FindStringSubmatch(d.log())
		if m != nil {
			token = strings.Trim(m[1], `"`)
		}
		return m != nil
	})

	content := make([]byte, 5<<20+321)
	if _, err := rand.Read(content); err != nil {
		t.Fatal(err)
	}
	client := adminv1connect.NewDirectContactServiceClient(http.DefaultClient, "http://"+addr)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := client.SubmitResponseStream(ctx)
	send := func(m *adminv1.SubmitResponseStreamRequest) {
		if err := s.Send(m); err != nil {
			t.Logf("send: %v (the answer says why)", err)
		}
	}
	send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Start{Start: &adminv1.SubmitResponseStart{
		Token: token, Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED, Note: "Support tickets."}}})
	send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_FileStart{FileStart: &adminv1.UploadFileStart{
		Name: "tickets.bin", ContentType: "application/octet-stream"}}})
	for c := content; len(c) > 0; {
		n := min(len(c), 1<<20)
		send(&adminv1.SubmitResponseStreamRequest{Part: &adminv1.SubmitResponseStreamRequest_Chunk{Chunk: c[:n]}})
		c = c[n:]
	}
	resp, err := s.CloseAndReceive()
	if err != nil {
		t.Fatalf("SubmitResponseStream: %v\nlog:\n%s", err, d.log())
	}
	if got := resp.Msg.GetLabel(); got != "Complete 1 of files uploaded" {
		t.Errorf("label %q", got)
	}

	archivePath := filepath.Join(t.TempDir(), "export.zip")
	cli(t, bin, addr, "request", "export", "-o", archivePath, id)
	zr, err := zip.OpenReader(archivePath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	found := false
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/tickets.bin") {
			continue
		}
		found = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("exported tickets.bin: %d bytes (%v), want the %d uploaded, byte-identical", len(got), err, len(content))
		}
	}
	if !found {
		t.Errorf("the export has no tickets.bin")
	}
}
