package bench

import (
	"context"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// listPageSize is the admin API's default page size.
const listPageSize = 50

// pageLister lists one page of requests after cursor and returns the next
// cursor ("" after the last page).
type pageLister func(ctx context.Context, cursor string) (next string, n int, err error)

// apiLister lists through the daemon's admin API over HTTP, as the CLI
// does (Connect protocol, binary protobuf, bearer token).
func apiLister(addr, token string) pageLister {
	client := adminv1connect.NewRequestServiceClient(http.DefaultClient, "http://"+addr,
		connect.WithInterceptors(bearer(token)))
	return func(ctx context.Context, cursor string) (string, int, error) {
		resp, err := client.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{PageSize: listPageSize, PageToken: cursor}))
		if err != nil {
			return "", 0, err
		}
		return resp.Msg.GetNextPageToken(), len(resp.Msg.GetRequests()), nil
	}
}

// bearer adds the admin token to every call.
func bearer(token string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+token)
			return next(ctx, req)
		}
	}
}

// engineLister lists through the engine in the benchmark process: the
// fallback while the admin API is not served by `dsrhost server`.
func engineLister(e *engine.Engine) pageLister {
	return func(ctx context.Context, cursor string) (string, int, error) {
		page, next, err := e.List(ctx, engine.Filter{}, cursor, listPageSize)
		return next, len(page), err
	}
}

// redisLister is the anchor: the same pages read from Redis with no
// dsrhost code, one ZREVRANGEBYLEX on the index of all requests and one
// pipelined HGETALL per request, in one round trip each.
func redisLister(rdb redis.UniversalClient) pageLister {
	return func(ctx context.Context, cursor string) (string, int, error) {
		max := "+"
		if cursor != "" {
			max = "(" + cursor
		}
		ids, err := rdb.ZRevRangeByLex(ctx, "dsrhost:idx:all", &redis.ZRangeBy{Max: max, Min: "-", Count: listPageSize}).Result()
		if err != nil || len(ids) == 0 {
			return "", 0, err
		}
		pipe := rdb.Pipeline()
		for _, id := range ids {
			pipe.HGetAll(ctx, "dsrhost:{"+id+"}")
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return "", 0, err
		}
		return ids[len(ids)-1], len(ids), nil
	}
}

// apiServed reports whether the daemon serves ListRequests; an
// Unimplemented answer (no such route) means not yet.
func apiServed(ctx context.Context, list pageLister) (bool, error) {
	_, _, err := list(ctx, "")
	if connect.CodeOf(err) == connect.CodeUnimplemented {
		return false, nil
	}
	return err == nil, err
}

// walkPages times each of up to pages pages, newest requests first,
// failing unless every page is full.
func walkPages(b testing.TB, list pageLister, pages int) []time.Duration {
	b.Helper()
	ctx := context.Background()
	var out []time.Duration
	cursor := ""
	for range pages {
		start := time.Now()
		next, n, err := list(ctx, cursor)
		out = append(out, time.Since(start))
		if err != nil {
			b.Fatalf("list page %d: %v", len(out), err)
		}
		if n != listPageSize {
			b.Fatalf("list page %d held %d requests, want %d", len(out), n, listPageSize)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out
}
