package testredis

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Dump returns every key in Redis with everything it holds, read as the
// data type it is (GET, HGETALL, XRANGE, ZRANGE, SMEMBERS, LRANGE) and as
// DUMP's serialization, so a test can check what is stored in plaintext.
// On a cluster every master is dumped.
func Dump(t testing.TB, rdb redis.UniversalClient) []byte {
	t.Helper()
	ctx := context.Background()
	var (
		mu  sync.Mutex // ForEachMaster visits masters concurrently
		out bytes.Buffer
	)
	dumpNode := func(ctx context.Context, c *redis.Client) error {
		var buf bytes.Buffer
		defer func() {
			mu.Lock()
			out.Write(buf.Bytes())
			mu.Unlock()
		}()
		var cursor uint64
		for {
			keys, next, err := c.Scan(ctx, cursor, "*", 1000).Result()
			if err != nil {
				return err
			}
			for _, k := range keys {
				if err := dumpKey(ctx, c, k, &buf); err != nil {
					return err
				}
			}
			if next == 0 {
				return nil
			}
			cursor = next
		}
	}
	var err error
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, dumpNode)
	case *redis.Client:
		err = dumpNode(ctx, c)
	default:
		t.Fatalf("cannot dump a %T", rdb)
	}
	if err != nil {
		t.Fatalf("dump Redis: %v", err)
	}
	return out.Bytes()
}

func dumpKey(ctx context.Context, c *redis.Client, k string, buf *bytes.Buffer) error {
	fmt.Fprintf(buf, "%s\n", k)
	typ, err := c.Type(ctx, k).Result()
	if err != nil {
		return err
	}
	switch typ {
	case "none":
		return nil // expired meanwhile
	case "string":
		buf.WriteString(c.Get(ctx, k).Val())
	case "hash":
		for f, v := range c.HGetAll(ctx, k).Val() {
			fmt.Fprintf(buf, "%s=%s\n", f, v)
		}
	case "stream":
		for _, m := range c.XRange(ctx, k, "-", "+").Val() {
			for f, v := range m.Values {
				fmt.Fprintf(buf, "%s=%v\n", f, v)
			}
		}
	case "zset":
		for _, m := range c.ZRange(ctx, k, 0, -1).Val() {
			fmt.Fprintf(buf, "%s\n", m)
		}
	case "set":
		for _, m := range c.SMembers(ctx, k).Val() {
			fmt.Fprintf(buf, "%s\n", m)
		}
	case "list":
		for _, m := range c.LRange(ctx, k, 0, -1).Val() {
			fmt.Fprintf(buf, "%s\n", m)
		}
	default:
		return fmt.Errorf("key %s has type %s, which Dump cannot read", k, typ)
	}
	buf.WriteString(c.Dump(ctx, k).Val())
	buf.WriteByte('\n')
	return nil
}
