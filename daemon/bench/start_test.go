package bench

import (
	"context"
	"encoding/hex"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/dsrhost/dsrhost/sdk"
)

// startRuns is how many launches each side's median is taken over, after
// one unmeasured launch that warms the page cache.
const startRuns = 5

// benchStart times `dsrhost server` with three plugins from launch to its
// health answering SERVING, against launching the same three plugin
// binaries with bare go-plugin (concurrently, as the daemon does) up to
// their Describe answer: the part of the start no daemon can avoid.
func benchStart(b *testing.B, w *world) []Row {
	rs := startRedis(b)
	listen := freeAddr(b)
	cfg := w.config(b, setup{Listen: listen, Redis: rs.Addr, Token: newToken(), Integrations: threeIntegrations})

	var daemon, bare []time.Duration
	for i := range startRuns + 1 {
		d := w.startDaemon(b, cfg, listen)
		took := d.waitServing(b)
		d.stop()
		a := w.launchBare(b, threeIntegrations)
		if i > 0 {
			daemon, bare = append(daemon, took), append(bare, a)
		}
	}
	b.ReportMetric(Median(daemon).Seconds(), "start-s")
	return []Row{{
		Item: 5, Measure: "start to SERVING, 3 plugins (median of 5)", Unit: Seconds,
		Value: Median(daemon).Seconds(), Anchor: "3 bare go-plugin launches", AnchorValue: Median(bare).Seconds(), Goal: RatioAtMost(1.3),
	}}
}

// launchBare launches the test connector once per integration, all at
// once, as sdk.ClientConfig does (SHA-256 checked, AutoMTLS, gRPC), and
// returns the time until every one answered Describe.
func (w *world) launchBare(b testing.TB, integs []integ) time.Duration {
	b.Helper()
	sumHex, err := fileSHA256(w.testConnector())
	if err != nil {
		b.Fatal(err)
	}
	sum, _ := hex.DecodeString(sumHex)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(integs))
	clients := make([]*plugin.Client, len(integs))
	for i, in := range integs {
		clients[i] = plugin.NewClient(sdk.ClientConfig(exec.Command(w.testConnector(), "-type", in.Type), sum, hclog.NewNullLogger()))
		wg.Go(func() {
			remote, err := sdk.Dispense(clients[i])
			if err == nil {
				_, err = remote.Describe(ctx)
			}
			errs <- err
		})
	}
	wg.Wait()
	took := time.Since(start)
	for _, c := range clients {
		c.Kill()
	}
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatalf("bare plugin launch: %v", err)
		}
	}
	return took
}
