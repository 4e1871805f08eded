package pluginhost_test

import (
	"context"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/daemon/bench"
	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// BenchmarkAccess is one synchronous Access call through the host to the
// test connector (records=0), with the host logging at info level as
// `dsrhost server` does. Besides time per call it reports the CPU each
// side spends on one: host-cpu-µs/op (this process) and plugin-cpu-µs/op
// (the plugin process). Profile the host with -cpuprofile and the plugin
// by setting DSRHOST_TESTCONNECTOR_CPUPROFILE to a file:
//
//	go test -run '^$' -bench Access -benchtime 20000x ./daemon/internal/pluginhost/
func BenchmarkAccess(b *testing.B) {
	logger := hclog.New(&hclog.LoggerOptions{Name: "dsrhost", Level: hclog.Info, Output: io.Discard})
	h := pluginhost.New(logger, pluginhost.Options{})
	b.Cleanup(h.Close)
	bin := sdktest.Build(b, testConnectorPkg)
	p, err := h.Start(context.Background(), pluginhost.Spec{
		Name: "crm-plugin", Command: bin, Args: []string{"-type", "sync"}, SHA256: sha256File(b, bin),
	})
	if err != nil {
		b.Fatalf("Start: %v", err)
	}
	resp, err := p.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "crm", Settings: settings(`"records":0`)})
	if err != nil || resp.HasErrors() {
		b.Fatalf("Configure: %v %+v", err, resp)
	}
	connector, pid := p.Connector(), p.Health().PID
	ctx := context.Background()
	access := func(i int) {
		j := job
		j.IdempotencyKey = "req-" + strconv.Itoa(i) + "/test/1"
		if _, err := connector.Access(ctx, &sdk.AccessRequest{Job: j}); err != nil {
			b.Fatalf("Access: %v", err)
		}
	}
	for i := range 200 {
		access(-i - 1)
	}
	host0, plugin0 := cpuTime(b, os.Getpid()), cpuTime(b, pid)
	for i := 0; b.Loop(); i++ {
		access(i)
	}
	perOp := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(perOp(cpuTime(b, os.Getpid())-host0), "host-cpu-µs/op")
	b.ReportMetric(perOp(cpuTime(b, pid)-plugin0), "plugin-cpu-µs/op")
}

// cpuTime is a process's CPU time so far, user and system.
func cpuTime(b *testing.B, pid int) time.Duration {
	b.Helper()
	t, err := bench.CPUTime(pid)
	if err != nil {
		b.Fatal(err)
	}
	return t
}
