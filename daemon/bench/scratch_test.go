package bench

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

func TestScratchStats(t *testing.T) {
	w := &world{bin: os.Getenv("BENCH_BIN")}
	if w.bin == "" {
		t.Skip()
	}
	const n = 8000
	rs := startRedis(t)
	cfg := w.config(t, setup{Listen: freeAddr(t), Redis: rs.Addr, Token: "x",
		Integrations: []integ{{"crm", "sync", 0}}, AutoApprove: []string{"access"}})
	a := daemonInProcess(t, cfg)
	createRequests(t, a.Engine(), sdk.RequestAccess, n)
	ctx := context.Background()
	rs.Client.ConfigResetStat(ctx)
	f, _ := os.Create("/tmp/run.prof")
	pprof.StartCPUProfile(f)
	defer pprof.StopCPUProfile()
	start := time.Now()
	must(t, a.Start())
	waitQueueDrained(t, rs.Client, daemonQueue, n)
	fmt.Println("jobs/s", float64(n)/time.Since(start).Seconds())
	info, _ := rs.Client.Info(ctx, "commandstats").Result()
	for _, l := range strings.Split(info, "\n") {
		if strings.HasPrefix(l, "cmdstat_") {
			var name string
			var calls int
			var usec, per float64
			name = l[:strings.IndexByte(l, ':')]
			fmt.Sscanf(l[len(name)+1:], "calls=%d,usec=%f,usec_per_call=%f", &calls, &usec, &per)
			fmt.Printf("%-28s calls/job=%6.2f usec/job=%7.1f\n", name, float64(calls)/n, usec/n)
		}
	}
}
