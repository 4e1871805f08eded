package api

import (
	"context"

	"connectrpc.com/connect"

	"github.com/dsrhost/dsrhost/daemon/internal/archive"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// exportChunkBytes is the most archive one ExportResultsStream message
// carries: well under gRPC clients' default 4 MiB receive limit.
const exportChunkBytes = 1 << 20

// ExportResultsStream writes the archive ExportResults returns, as it is
// built, in chunks: the zip is never held whole, and each message fits a
// client's default limits whatever the archive's size.
func (s *requestService) ExportResultsStream(ctx context.Context, req *connect.Request[adminv1.ExportResultsStreamRequest], stream *connect.ServerStream[adminv1.ExportResultsStreamResponse]) error {
	id := req.Msg.GetId()
	r, err := s.engine.Get(ctx, id)
	if err != nil {
		return s.fail(req.Spec().Procedure, err)
	}
	results, err := s.engine.Results(ctx, id)
	if err != nil {
		return s.fail(req.Spec().Procedure, err)
	}
	w := &chunkSender{send: stream.Send, filename: archive.Name(id), buf: make([]byte, 0, exportChunkBytes)}
	if err := archive.Write(ctx, w, r, results, archive.Options{Now: s.clock()}); err != nil {
		return s.fail(req.Spec().Procedure, err)
	}
	if err := w.flush(); err != nil {
		return s.fail(req.Spec().Procedure, err)
	}
	return nil
}

// chunkSender is an io.Writer that sends what it is given as stream
// messages of exportChunkBytes, the first naming the file.
type chunkSender struct {
	send     func(*adminv1.ExportResultsStreamResponse) error
	filename string
	buf      []byte
}

// Write implements io.Writer.
func (c *chunkSender) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		take := min(cap(c.buf)-len(c.buf), len(p))
		c.buf = append(c.buf, p[:take]...)
		p = p[take:]
		if len(c.buf) == cap(c.buf) {
			if err := c.flush(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// flush sends what is buffered; the first message goes out even when the
// archive is empty, so the client always learns the file name.
func (c *chunkSender) flush() error {
	if len(c.buf) == 0 && c.filename == "" {
		return nil
	}
	err := c.send(&adminv1.ExportResultsStreamResponse{Filename: c.filename, Chunk: c.buf})
	c.filename = ""
	c.buf = c.buf[:0]
	return err
}
