package api

import (
	"context"
	"time"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/hashicorp/go-hclog"
)

// callLogger logs every authorised call at debug level: the procedure, the
// token's name, the outcome and how long it took. Messages are never
// logged: they hold personal data.
type callLogger struct {
	log hclog.Logger
}

func (l callLogger) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient || !l.log.IsDebug() {
			return next(ctx, req)
		}
		start := time.Now()
		res, err := next(ctx, req)
		l.done(ctx, req.Spec().Procedure, start, err)
		return res, err
	}
}

func (l callLogger) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (l callLogger) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if !l.log.IsDebug() {
			return next(ctx, conn)
		}
		start := time.Now()
		err := next(ctx, conn)
		l.done(ctx, conn.Spec().Procedure, start, err)
		return err
	}
}

func (l callLogger) done(ctx context.Context, procedure string, start time.Time, err error) {
	code := "ok"
	if err != nil {
		code = connect.CodeOf(err).String()
	}
	l.log.Debug("call", "procedure", procedure, "token", auth.Actor(ctx), "code", code, "duration", time.Since(start))
}
