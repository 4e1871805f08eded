package command

import (
	"context"
	"io"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/client"
	"google.golang.org/protobuf/proto"
)

// withAPI connects to the daemon and runs do with a context that Ctrl-C
// cancels. The connections and the signal handler last until do returns,
// so do may stream or write files before the command ends.
func (m *clientMeta) withAPI(cmd string, do func(ctx context.Context, api *client.Client) int) int {
	api, err := m.client()
	if err != nil {
		return m.fail(cmd, err)
	}
	defer api.CloseIdleConnections()
	ctx, stop := m.context()
	defer stop()
	return do(ctx, api)
}

// show is the whole of a command that makes one call and prints its
// response: with -format json the API's own JSON, otherwise what human
// writes for people. A failed call is explained the way every client
// command explains it.
func show[T proto.Message](m *clientMeta, cmd string, call func(ctx context.Context, api *client.Client) (T, error), human func(w io.Writer, res T) error) int {
	return m.withAPI(cmd, func(ctx context.Context, api *client.Client) int {
		res, err := call(ctx, api)
		if err != nil {
			return m.fail(cmd, err)
		}
		if m.json() {
			return m.output(printJSON(m.stdout(), res))
		}
		return m.output(human(m.stdout(), res))
	})
}

// unary makes one Connect call and returns its response message, so that
// a call reads as the method and the request it sends.
func unary[Req, Res any](ctx context.Context, rpc func(context.Context, *connect.Request[Req]) (*connect.Response[Res], error), req *Req) (*Res, error) {
	res, err := rpc(ctx, connect.NewRequest(req))
	if err != nil {
		return nil, err
	}
	return res.Msg, nil
}
