package bench

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/bench/internal/echoplugin/echo"
)

// floorSide is the floor of the throughput row: asynq tasks with the
// daemon's worker settings whose handler makes one bare go-plugin call
// (the echo plugin of the plugin call row, launched with AutoMTLS as the
// host launches connectors) and nothing else. Between raw asynq and the
// daemon it shows what share of the gap is the out-of-process call itself
// and what is dsrhost's own work (engine, store, Redis round trips).
type floorSide struct {
	client *plugin.Client
	echoer echo.Echoer
}

// startFloor launches the echo plugin and warms it.
func (w *world) startFloor(b testing.TB) *floorSide {
	b.Helper()
	client, echoer := w.echoClient(b)
	must(b, warmEcho(echoer))
	return &floorSide{client: client, echoer: echoer}
}

// run runs n tasks in queue: tasks per second, the CPU they took in every
// process, and that CPU per task split by process, as perJob renders it.
func (f *floorSide) run(b testing.TB, rdb redis.UniversalClient, queue string, n int) (rate float64, cpu time.Duration, split string) {
	b.Helper()
	handler := asynq.HandlerFunc(func(ctx context.Context, _ *asynq.Task) error {
		_, err := f.echoer.Echo(ctx, echoPayload)
		return err
	})
	stop := phaseProfile(b, rdb, "."+queue)
	rate, cpu, splits := asynqRun(b, rdb, queue, n, handler)
	stop()
	return rate, cpu, perJob(asClient(splits[1]), asClient(splits[0]), n)
}

// stop ends the echo process, so it idles in no later measurement; the
// cleanup echoClient registers covers a failure.
func (f *floorSide) stop() { f.client.Kill() }

// asClient names the benchmark process for what it runs here, asynq's
// workers and the go-plugin client, rather than "daemon" as perJob does.
func asClient(split map[string]time.Duration) map[string]time.Duration {
	if d, ok := split["self"]; ok {
		delete(split, "self")
		split["asynq+client"] = d
	}
	return split
}

// warmEcho makes a few calls first, as the daemon's plugins have answered
// Describe and Configure before their first job: connection and TLS
// session are up before the clock runs.
func warmEcho(e echo.Echoer) error {
	for range 50 {
		if _, err := e.Echo(context.Background(), echoPayload); err != nil {
			return err
		}
	}
	return nil
}
