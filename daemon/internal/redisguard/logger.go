package redisguard

import (
	"context"
	"fmt"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/throttle"
	"github.com/hashicorp/go-hclog"
	"github.com/redis/go-redis/v9"
)

// redisLogEvery is how often, at most, one kind of go-redis log line is
// written.
const redisLogEvery = 10 * time.Second

// redisLogger routes go-redis's own log through hclog, one line per kind of
// message every redisLogEvery with the count held back: during an outage
// go-redis logs every failed dial, about eight lines a second.
type redisLogger struct {
	log   hclog.Logger
	quiet *throttle.Throttle
}

// Printf implements go-redis's internal.Logging. Lines are keyed by their
// format, so one kind of failure does not hide another.
func (l redisLogger) Printf(_ context.Context, format string, v ...any) {
	if ok, n := l.quiet.Allow(format); ok {
		l.log.Warn(fmt.Sprintf(format, v...), "similar_lines_not_logged", n)
	}
}

// SetLogger sends go-redis's log, process-wide, to log, throttled.
func SetLogger(log hclog.Logger) {
	redis.SetLogger(redisLogger{log: log, quiet: throttle.New(redisLogEvery)})
}
