package linktoken

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/internal/testclock"
)

var prefixSeq atomic.Int64

func claims() Claims {
	return Claims{RequestID: requestID, Integration: "acme-support", Workflow: state.PendingDelete, Attempt: 1, ExpiresAt: due.Add(DefaultGrace)}
}

// ledgers returns a ledger on a single redis-server and one on a
// three-master Cluster, each with its own key prefix.
func ledgers(t *testing.T, clock *testclock.Clock) map[string]*Ledger {
	single := testredis.Start(t)
	cluster := testredis.StartCluster(t)
	out := map[string]*Ledger{}
	for name, rdb := range map[string]redis.UniversalClient{"single": single.Client, "cluster": cluster.Client} {
		out[name] = NewLedger(rdb, LedgerOptions{Prefix: fmt.Sprintf("lt%d", prefixSeq.Add(1)), Clock: clock.Now})
	}
	return out
}

func TestLedgerSingleUse(t *testing.T) {
	ctx := context.Background()
	clock := testclock.New(t0)
	for name, l := range ledgers(t, clock) {
		t.Run(name, func(t *testing.T) {
			c := claims()
			if used, err := l.Used(ctx, c); err != nil || used {
				t.Fatalf("Used before any answer: %v, %v", used, err)
			}

			// A failed answer releases: the link still works.
			r, err := l.Reserve(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := l.Reserve(ctx, c); !errors.Is(err, ErrBusy) {
				t.Fatalf("second Reserve while the first holds: %v, want ErrBusy", err)
			}
			if used, _ := l.Used(ctx, c); used {
				t.Fatal("a reservation counts as used")
			}
			if err := r.Release(ctx); err != nil {
				t.Fatal(err)
			}

			// An accepted answer commits: every later use is refused.
			r, err = l.Reserve(ctx, c)
			if err != nil {
				t.Fatalf("Reserve after a release: %v", err)
			}
			if err := r.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if used, err := l.Used(ctx, c); err != nil || !used {
				t.Fatalf("Used after commit: %v, %v", used, err)
			}
			if _, err := l.Reserve(ctx, c); !errors.Is(err, ErrUsed) {
				t.Fatalf("Reserve after commit: %v, want ErrUsed", err)
			}
			// A late Release of a committed wait changes nothing.
			if err := r.Release(ctx); err != nil {
				t.Fatal(err)
			}
			if used, _ := l.Used(ctx, c); !used {
				t.Fatal("Release after Commit reopened the link")
			}

			// Another attempt of the same integration is another wait.
			next := c
			next.Attempt = 2
			if r, err := l.Reserve(ctx, next); err != nil {
				t.Fatalf("Reserve for the next attempt: %v", err)
			} else if err := r.Release(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestLedgerMarkLivesUntilExpiry checks the used mark's TTL: until the
// token expires by the ledger's clock.
func TestLedgerMarkLivesUntilExpiry(t *testing.T) {
	ctx := context.Background()
	clock := testclock.New(t0)
	rs := testredis.Start(t)
	l := NewLedger(rs.Client, LedgerOptions{Prefix: "ttl", Clock: clock.Now})
	c := claims()
	r, err := l.Reserve(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if ttl := rs.Client.PTTL(ctx, l.key(c)).Val(); ttl <= 0 || ttl > DefaultHold {
		t.Errorf("reservation TTL %v, want at most the hold %v", ttl, DefaultHold)
	}
	if err := r.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	want := c.ExpiresAt.Sub(t0)
	if ttl := rs.Client.PTTL(ctx, l.key(c)).Val(); ttl > want || ttl < want-time.Minute {
		t.Errorf("used mark TTL %v, want about %v", ttl, want)
	}
	if k := l.key(c); k != "ttl:{"+requestID+"}:respond:pending_delete/acme-support/1" {
		t.Errorf("key %q does not carry the request id as its hash tag", k)
	}
}

// TestLedgerOnMiniredis: dev mode's embedded Redis runs the same commands
// and script.
func TestLedgerOnMiniredis(t *testing.T) {
	ctx := context.Background()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	l := NewLedger(rdb, LedgerOptions{Clock: testclock.New(t0).Now})
	c := claims()
	r, err := l.Reserve(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err = l.Reserve(ctx, c); err != nil {
		t.Fatalf("Reserve after Release: %v", err)
	}
	if err := r.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reserve(ctx, c); !errors.Is(err, ErrUsed) {
		t.Fatalf("Reserve after Commit: %v, want ErrUsed", err)
	}
}
