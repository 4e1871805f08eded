package privacycenter_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
)

// TestRestartBetweenSubmissionAndVerification: the pending submission is
// in Redis, not in the daemon, so a daemon started after the first one
// stopped verifies it; a verification that fails because Redis is
// unreachable consumes nothing.
func TestRestartBetweenSubmissionAndVerification(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) { pc.Verification.Method = config.VerifyCode })
	page, m := h.submit("access", form("email", "ada@example.com"))
	tok := h.token(page)

	// Redis unreachable: a daemon whose Redis is gone answers 503 and
	// loses nothing.
	dead := deadAddr(t)
	down := redis.NewClient(&redis.Options{Addr: dead, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = down.Close() })
	h.srv.Config.Handler = h.newCenter(down).Handler()
	wantStatus(t, "redis down", h.postToken(tok, page, form("code", code(t, m))), http.StatusServiceUnavailable, "nothing was saved")

	// The daemon restarts (a new center over the same Redis and keys).
	h.srv.Config.Handler = h.newCenter(h.rdb).Handler()
	r := h.postToken(tok, page, form("code", code(t, m)))
	wantStatus(t, "after restart", r, http.StatusOK, "Thank you")
	id := reference(t, r)
	if req, err := h.engine.Get(ctx(), id); err != nil || req.Subject.Email != "ada@example.com" {
		t.Errorf("request %+v (%v)", req, err)
	}
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// TestRedisRestartLosesNothing: Redis killed and restarted (with its
// append-only file) between submission and verification, and again after
// verification: the pending submission still verifies, the verified request
// is still there, and its verification cannot be replayed.
func TestRedisRestartLosesNothing(t *testing.T) {
	rs := testredis.StartDurable(t)
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr, MaxRetries: 5})
	t.Cleanup(func() { _ = rdb.Close() })
	h := newHarnessOn(t, rdb, func(pc *config.PrivacyCenter) { pc.Verification.Method = config.VerifyCode })
	page, m := h.submit("access", form("email", "ada@example.com", "details", "kept across restarts"))
	tok := h.token(page)

	rs.Restart(t)
	r := h.postToken(tok, page, form("code", code(t, m)))
	wantStatus(t, "verify after a Redis restart", r, http.StatusOK, "Thank you")
	id := reference(t, r)

	rs.Restart(t)
	req, err := h.engine.Get(ctx(), id)
	if err != nil || req.Details != "kept across restarts" || req.Source != "privacy_center" {
		t.Fatalf("request after a second restart: %+v (%v)", req, err)
	}
	wantStatus(t, "replayed after restart", h.postToken(tok, page, form("code", code(t, m))), http.StatusGone, "already confirmed")
}
