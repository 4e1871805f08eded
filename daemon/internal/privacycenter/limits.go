package privacycenter

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/seal"
)

// What the limits count.
const (
	limitSubmitIP    = "submit-ip"
	limitSubmitEmail = "submit-email"
	limitVerifyIP    = "verify-ip"
)

// countScript adds one to a window's counter, starting its expiry with the
// window, and returns the new count.
var countScript = redis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 then
  redis.call("PEXPIRE", KEYS[1], ARGV[1])
end
return n
`)

// limiter counts events per fixed window in Redis, so daemons sharing it
// share the counts. Who is counted (an IP or email address) is stored only
// as a keyed hash.
type limiter struct {
	rdb    redis.UniversalClient
	prefix string
	keys   *seal.KeyRing
	window time.Duration
	now    func() time.Time
}

// allow counts one event of kind by who and reports whether it is within
// limit; if not, how long until the window ends.
func (l *limiter) allow(ctx context.Context, kind, who string, limit int) (bool, time.Duration, error) {
	now := l.now()
	slot := now.UnixNano() / int64(l.window)
	key := fmt.Sprintf("%s:privacy:limit:%s:%s:%d", l.prefix, kind, l.keys.Lookup("privacy-limit", who), slot)
	n, err := countScript.Run(ctx, l.rdb, []string{key}, l.window.Milliseconds()).Int()
	if err != nil {
		return false, 0, fmt.Errorf("count %s: %w", kind, err)
	}
	if n <= limit {
		return true, 0, nil
	}
	end := time.Unix(0, (slot+1)*int64(l.window))
	return false, end.Sub(now).Round(time.Second) + time.Second, nil
}

// clientIP is the connection's address. Forwarded headers are not trusted:
// anyone could set them to dodge the limits.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
