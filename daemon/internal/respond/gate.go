package respond

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// maxPeekBytes is how much of a SubmitResponse body GateSubmit reads to
// find the link token: the gRPC envelope, the field's tag and length, and a
// token far longer than any the signer makes.
const maxPeekBytes = 4096

// GateSubmit checks a SubmitResponse's link token before the body is read
// and decoded: a call with a forged, expired or used token is refused after
// reading at most maxPeekBytes, where connect would otherwise read and
// decode up to the upload limit (104 MiB) first. The token is field 1 of
// the message, which protobuf encoders write first; in JSON it must be the
// first key. A body it cannot read cheaply (compressed, or JSON with the
// token later) passes through, and is checked after decoding as before.
func (s *Service) GateSubmit(next http.Handler) http.Handler {
	errs := connect.NewErrorWriter()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != adminv1connect.DirectContactServiceSubmitResponseProcedure || r.Method != http.MethodPost || !errs.IsSupported(r) {
			next.ServeHTTP(w, r)
			return
		}
		br := bufio.NewReaderSize(r.Body, maxPeekBytes)
		r.Body = readCloser{Reader: br, Closer: r.Body}
		token, ok := peekToken(br, r.Header)
		if ok {
			_, err := s.r.Task(r.Context(), token)
			var ref *Refusal
			if errors.As(err, &ref) {
				_ = errs.Write(w, r, toConnect(err))
				discard(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// maxDiscardBytes bounds what discard reads of a refused body: more than
// the admin API's upload limit (api.DefaultMaxUploadBytes, 104 MiB).
const maxDiscardBytes = 128 << 20

// discard ends a refused call without holding its body. HTTP/2 resets the
// stream, so nothing more is read. An HTTP/1.1 client cannot read the
// answer until it has finished sending, so the rest of the body is read
// and dropped in small pieces (network, never memory), then the
// connection is closed.
func discard(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor != 1 {
		return
	}
	_ = http.NewResponseController(w).Flush()
	_, _ = io.CopyN(io.Discard, r.Body, maxDiscardBytes)
	w.Header().Set("Connection", "close")
}

type readCloser struct {
	io.Reader
	io.Closer
}

// peekToken finds the token at the start of a Connect, gRPC or gRPC-Web
// SubmitResponseRequest without consuming the body.
func peekToken(br *bufio.Reader, h http.Header) (string, bool) {
	if enc := h.Get("Content-Encoding"); enc != "" && enc != "identity" {
		return "", false
	}
	ct := strings.ToLower(h.Get("Content-Type"))
	b, _ := br.Peek(maxPeekBytes)
	if strings.HasPrefix(ct, "application/grpc") {
		// The five-byte envelope: a flags byte (1: compressed) and a length.
		if len(b) < 5 || b[0]&1 != 0 {
			return "", false
		}
		b = b[5:]
	}
	if strings.Contains(ct, "json") {
		return jsonToken(b)
	}
	return protoToken(b)
}

func protoToken(b []byte) (string, bool) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 || num != 1 || typ != protowire.BytesType {
		return "", false
	}
	v, m := protowire.ConsumeBytes(b[n:])
	if m < 0 {
		return "", false
	}
	return string(v), true
}

func jsonToken(b []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	if key, err := dec.Token(); err != nil || key != "token" {
		return "", false
	}
	v, err := dec.Token()
	s, ok := v.(string)
	return s, err == nil && ok
}
