package api

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/redisguard"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
	"github.com/dsrhost/dsrhost/daemon/internal/throttle"
	"github.com/hashicorp/go-hclog"
)

// errorMapper turns errors from the engine and the daemon into Connect
// errors. Messages of the engine's sentinel errors are written to be shown
// (they carry ids and integration names, never personal data); anything
// else is logged and answered as internal without its detail.
type errorMapper struct {
	log hclog.Logger
	// quiet throttles the log line of Redis being unreachable: during an
	// outage every call fails the same way.
	quiet *throttle.Throttle
}

// unavailableLogEvery is how often, at most, the API logs that Redis is
// unreachable.
const unavailableLogEvery = 10 * time.Second

func (m errorMapper) toConnect(procedure string, err error) error {
	if err == nil {
		return nil
	}
	if ce := new(connect.Error); errors.As(err, &ce) {
		return err
	}
	switch {
	case errors.Is(err, engine.ErrNotFound), errors.Is(err, store.ErrNotFound):
		return connect.NewError(connect.CodeNotFound, err)
	case errors.Is(err, engine.ErrFailedPrecondition):
		return connect.NewError(connect.CodeFailedPrecondition, err)
	case errors.Is(err, engine.ErrInvalidArgument):
		return connect.NewError(connect.CodeInvalidArgument, err)
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, err)
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	case redisguard.IsUnavailable(err):
		if ok, n := m.quiet.Allow("redis"); ok {
			m.log.Error("admin API calls fail: Redis is unreachable", "procedure", procedure, "error", err, "similar_failures_not_logged", n)
		}
		return connect.NewError(connect.CodeUnavailable, errors.New("the daemon cannot reach its Redis for now; try again shortly"))
	}
	m.log.Error("admin API call failed", "procedure", procedure, "error", err)
	return connect.NewError(connect.CodeInternal, errors.New("internal error; the daemon's log has the details"))
}
