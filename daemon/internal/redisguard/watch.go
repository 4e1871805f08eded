package redisguard

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Watch pings Redis every interval until ctx ends and calls change on each
// transition between reachable and unreachable (the first call comes only
// if Redis is unreachable at the first ping; it starts out reachable, as
// the daemon checked before starting). On a Cluster every master must
// answer. err is the ping's error when unreachable.
func Watch(ctx context.Context, rdb redis.UniversalClient, interval time.Duration, change func(up bool, err error)) {
	up := true
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := ping(ctx, rdb, interval)
		if ctx.Err() != nil {
			return
		}
		if now := err == nil; now != up {
			up = now
			change(up, err)
		}
	}
}

func ping(ctx context.Context, rdb redis.UniversalClient, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if c, ok := rdb.(*redis.ClusterClient); ok {
		return c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return node.Ping(ctx).Err()
		})
	}
	return rdb.Ping(ctx).Err()
}
