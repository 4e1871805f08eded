package api

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// unimplementedDirectContact answers unimplemented until the daemon passes
// the Direct Contact handlers in Options.DirectContact.
type unimplementedDirectContact struct {
	adminv1connect.UnimplementedDirectContactServiceHandler
}

// SubmitResponseStream reads the first message before answering
// unimplemented, so an invalid one is invalid_argument, as a unary call's
// is.
func (u unimplementedDirectContact) SubmitResponseStream(ctx context.Context, s *connect.ClientStream[adminv1.SubmitResponseStreamRequest]) (*connect.Response[adminv1.SubmitResponseStreamResponse], error) {
	if !s.Receive() && s.Err() != nil {
		return nil, s.Err()
	}
	return u.UnimplementedDirectContactServiceHandler.SubmitResponseStream(ctx, s)
}

// MaxStreamMessageBytes bounds one message of SubmitResponseStream: a
// chunk (at most 1 MiB; 1.33 MiB as JSON's base64) or the start (token and
// note), with room for framing. The stream carries large uploads in many small messages, so
// no message needs the whole-upload limit, and a forged start cannot make
// the server read more than this before its token is checked.
const MaxStreamMessageBytes = 3 << 19

// directContactHandlers mounts the DirectContactService: SubmitResponse
// and GetTask under the upload limit (maxUpload), SubmitResponseStream
// under MaxStreamMessageBytes a message, and the link-token gate in front
// when the service has one.
func directContactHandlers(mux *http.ServeMux, dc adminv1connect.DirectContactServiceHandler, maxUpload int, opts ...connect.HandlerOption) {
	path, h := adminv1connect.NewDirectContactServiceHandler(dc, append(opts, connect.WithReadMaxBytes(maxUpload))...)
	if g, ok := dc.(SubmitGate); ok {
		h = g.GateSubmit(h)
	}
	mux.Handle(path, h)
	_, stream := adminv1connect.NewDirectContactServiceHandler(dc, append(opts, connect.WithReadMaxBytes(MaxStreamMessageBytes))...)
	mux.Handle(adminv1connect.DirectContactServiceSubmitResponseStreamProcedure, stream)
}
