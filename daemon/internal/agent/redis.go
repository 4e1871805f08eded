package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/redisguard"
	"github.com/redis/go-redis/v9"
)

// redisClient opens the client for the configured Redis: one node (a URL),
// Sentinel failover or Cluster.
func redisClient(c config.Redis) (redis.UniversalClient, error) {
	switch {
	case c.Sentinel != nil:
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName:    c.Sentinel.MasterName,
			SentinelAddrs: c.Sentinel.Addrs,
			Password:      c.Sentinel.Password.Value(),
			DB:            c.Sentinel.DB,
		}), nil
	case c.Cluster != nil:
		return redis.NewClusterClient(&redis.ClusterOptions{
			Addrs:    c.Cluster.Addrs,
			Password: c.Cluster.Password.Value(),
		}), nil
	case c.URL.Value() != "":
		opts, err := redis.ParseURL(c.URL.Value())
		if err != nil {
			// The URL may hold a password: say what is wrong, not what it is.
			return nil, fmt.Errorf("parse redis url: invalid URL")
		}
		return redis.NewClient(opts), nil
	}
	return nil, fmt.Errorf("no redis configured: set redis.url, redis.sentinel or redis.cluster")
}

// connectRedis opens the Redis client of cfg (unless Options.Redis gave
// one), checks that it answers and that its settings keep requests.
func (a *Agent) connectRedis(ctx context.Context, cfg *config.Config) error {
	if a.opts.Redis != nil {
		a.rdb = a.opts.Redis
	} else {
		redisguard.SetLogger(a.logger.Named("redis"))
		rdb, err := redisClient(cfg.Redis)
		if err != nil {
			return err
		}
		a.rdb = rdb
	}
	if err := a.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("connect to redis: %w", err)
	}
	return a.checkRedis(ctx)
}

// closeOwnRedis closes the Redis client the agent opened itself, on a
// start that failed.
func (a *Agent) closeOwnRedis() {
	if a.rdb != nil && a.opts.Redis == nil {
		_ = a.rdb.Close()
	}
	a.rdb = nil
}

// checkRedis refuses a Redis that can evict dsrhost's keys and warns
// loudly about one that keeps nothing on disk, at start and on every
// reload (an operator may have changed the server meanwhile). Dev mode's
// embedded Redis (Options.Redis) is exempt: it keeps nothing by design.
func (a *Agent) checkRedis(ctx context.Context) error {
	if a.opts.Redis != nil {
		return nil
	}
	findings, err := redisguard.Check(ctx, a.rdb)
	for _, f := range findings {
		if f.Severity == redisguard.Warning {
			a.logger.Warn("REDIS CAN LOSE REQUESTS: "+f.Message, "redis", f.Addr, "setting", f.Setting)
		}
	}
	if err != nil {
		return fmt.Errorf("check redis settings: %w", err)
	}
	return nil
}

// redisWatchInterval is how often the daemon pings Redis to keep its
// health status true.
const redisWatchInterval = 2 * time.Second

// WatchRedis pings Redis until ctx ends, calling change when it becomes
// unreachable and again when it is back, and logging each transition once
// (not every failed call).
func (a *Agent) WatchRedis(ctx context.Context, change func(up bool)) {
	redisguard.Watch(ctx, a.rdb, redisWatchInterval, func(up bool, err error) {
		if up {
			a.logger.Info("redis reachable again; serving")
		} else {
			a.logger.Error("redis unreachable: the API answers unavailable and health is NOT_SERVING until it is back", "error", err)
		}
		change(up)
	})
}
