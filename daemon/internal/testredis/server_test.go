package testredis

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestStart(t *testing.T) {
	s := Start(t)
	ctx := context.Background()
	if err := s.Client.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got := s.Client.Get(ctx, "k").Val(); got != "v" {
		t.Fatalf("GET k = %q", got)
	}
	cfg := s.Client.ConfigGet(ctx, "save").Val()
	if cfg["save"] != "" {
		t.Errorf("save = %q, want persistence off", cfg["save"])
	}
	s.Stop()
	s.Stop()
}

func TestStartCluster(t *testing.T) {
	c := StartCluster(t)
	ctx := context.Background()
	// Keys spread over the three masters, and hash-tagged keys share one.
	for i := range 30 {
		if err := c.Client.Set(ctx, fmt.Sprintf("k%d", i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	masters := 0
	for _, n := range c.Nodes {
		if n.Client.DBSize(ctx).Val() > 0 {
			masters++
		}
	}
	if masters != 3 {
		t.Errorf("keys on %d masters, want 3", masters)
	}
	if err := c.Client.Eval(ctx, "redis.call('SET', KEYS[1], 1); return redis.call('SET', KEYS[2], 2)", []string{"{r1}:a", "{r1}:b"}).Err(); err != nil {
		t.Errorf("script over one hash tag: %v", err)
	}
}

func TestDump(t *testing.T) {
	s := Start(t)
	ctx := context.Background()
	s.Client.Set(ctx, "s", "plain-string", 0)
	s.Client.HSet(ctx, "h", "f", "plain-hash")
	s.Client.XAdd(ctx, &redis.XAddArgs{Stream: "x", Values: []string{"f", "plain-stream"}})
	s.Client.ZAdd(ctx, "z", redis.Z{Member: "plain-zset"})
	s.Client.SAdd(ctx, "set", "plain-set")
	s.Client.RPush(ctx, "l", "plain-list")
	d := string(Dump(t, s.Client))
	for _, want := range []string{"plain-string", "plain-hash", "plain-stream", "plain-zset", "plain-set", "plain-list"} {
		if !strings.Contains(d, want) {
			t.Errorf("dump lacks %q", want)
		}
	}
}
