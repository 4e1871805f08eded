package testredis

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Trips records the round trips a go-redis client makes; add it with
// the client's AddHook. Each trip is the commands it carried, by name,
// a script's (EVAL, EVALSHA) with its first key. A new connection's own
// set-up (HELLO, CLIENT SETINFO) is left out: it is no caller's round
// trip.
type Trips struct {
	mu    sync.Mutex
	trips [][]string
}

// DialHook leaves dialling alone.
func (t *Trips) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook records a lone command as a trip.
func (t *Trips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		t.add([]redis.Cmder{cmd})
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook records a pipeline as one trip.
func (t *Trips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		t.add(cmds)
		return next(ctx, cmds)
	}
}

func (t *Trips) add(cmds []redis.Cmder) {
	if len(cmds) == 0 || cmds[0].Name() == "hello" || cmds[0].Name() == "client" {
		return
	}
	trip := make([]string, len(cmds))
	for i, c := range cmds {
		trip[i] = c.Name()
		if args := c.Args(); (trip[i] == "evalsha" || trip[i] == "eval") && len(args) > 3 {
			if k, ok := args[3].(string); ok {
				trip[i] += " " + k
			}
		}
	}
	t.mu.Lock()
	t.trips = append(t.trips, trip)
	t.mu.Unlock()
}

// All returns the trips recorded so far.
func (t *Trips) All() [][]string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.trips)
}

// Reset forgets the trips recorded so far.
func (t *Trips) Reset() {
	t.mu.Lock()
	t.trips = nil
	t.mu.Unlock()
}

// CommandStat is one figure of INFO commandstats for command since the
// stats were last reset: "calls", "usec" and so on; 0 when Redis has not
// run the command.
func CommandStat(t testing.TB, rdb redis.UniversalClient, command, field string) float64 {
	t.Helper()
	stats, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(stats, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+command+":")
		if !ok {
			continue
		}
		for kv := range strings.SplitSeq(rest, ",") {
			if v, ok := strings.CutPrefix(kv, field+"="); ok {
				n, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatalf("commandstats %s %s = %q: %v", command, field, v, err)
				}
				return n
			}
		}
	}
	return 0
}
