package bench

import (
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/dsrhost/dsrhost/daemon/bench/internal/echoplugin/echo"
	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/sdk"
)

// Calls of the plugin call benchmark: each side is warmed up, then
// measured call by call in turn, so both see the same machine load.
const (
	callWarmup = 300
	callPairs  = 5000
)

// echoPayload is the anchor's argument, larger than the connector's
// AccessRequest on the wire so the comparison never flatters dsrhost.
var echoPayload = make([]byte, 256)

// benchPluginCall times one synchronous Access call to the test
// connector launched through the plugin host (records=0), against one
// call of a bare go-plugin gRPC echo plugin launched the same way.
func benchPluginCall(b *testing.B, w *world) []Row {
	ctx := context.Background()
	hostedPlugin := w.hostedConnector(b)
	connector := hostedPlugin.Connector()
	echoClient, echoer := w.echoClient(b)

	seq := 0
	access := func() error {
		seq++
		_, err := connector.Access(ctx, &sdk.AccessRequest{Job: benchJob(seq)})
		return err
	}
	call := func() error {
		_, err := echoer.Echo(ctx, echoPayload)
		return err
	}
	for range callWarmup {
		must(b, access())
		must(b, call())
	}
	// Each plugin process serves only its own calls, so its CPU over the
	// loop is what one call costs on the plugin side.
	pluginCPU := processCPUs(b, hostedPlugin.Health().PID, echoClient.ReattachConfig().Pid)
	hosted, bare := make([]time.Duration, callPairs), make([]time.Duration, callPairs)
	for i := range callPairs {
		hosted[i] = timeCall(b, access)
		bare[i] = timeCall(b, call)
	}
	perCall := pluginCPU()
	b.ReportMetric(float64(Percentile(hosted, 50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(Percentile(hosted, 99).Microseconds()), "p99-µs")
	n := fmt.Sprintf("(%d calls each, in turn)", callPairs)
	return []Row{
		{Item: 2, Measure: "connector call p50 " + n, Unit: Seconds, Value: Percentile(hosted, 50).Seconds(),
			Anchor: "go-plugin echo p50", AnchorValue: Percentile(bare, 50).Seconds(), Goal: RatioAtMost(1.2),
			Note: fmt.Sprintf("CPU per call in the plugin process: test connector %v, echo plugin %v.",
				(perCall[0] / callPairs).Round(time.Microsecond), (perCall[1] / callPairs).Round(time.Microsecond))},
		{Item: 2, Measure: "connector call p99", Unit: Seconds, Value: Percentile(hosted, 99).Seconds(),
			Anchor: "go-plugin echo p99", AnchorValue: Percentile(bare, 99).Seconds()},
	}
}

// processCPUs starts measuring the CPU time of the processes pids; the
// function it returns gives what each used since, in the same order.
func processCPUs(b testing.TB, pids ...int) func() []time.Duration {
	b.Helper()
	read := func() []time.Duration {
		out := make([]time.Duration, len(pids))
		for i, pid := range pids {
			t, err := CPUTime(pid)
			must(b, err)
			out[i] = t
		}
		return out
	}
	start := read()
	return func() []time.Duration {
		now := read()
		for i := range now {
			now[i] -= start[i]
		}
		return now
	}
}

// hostedConnector launches the synchronous test connector through the
// plugin host as the daemon does (SHA-256 pinned, configured with
// records=0) and returns the hosted plugin.
func (w *world) hostedConnector(b testing.TB) *pluginhost.Plugin {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sum, err := fileSHA256(w.testConnector())
	if err != nil {
		b.Fatal(err)
	}
	host := pluginhost.New(daemonLogger(b), pluginhost.Options{})
	b.Cleanup(host.Close)
	p, err := host.Start(ctx, pluginhost.Spec{Name: "test-crm", Command: w.testConnector(), Args: []string{"-type", "sync"}, SHA256: sum})
	if err != nil {
		b.Fatalf("start test connector: %v", err)
	}
	resp, err := p.Configure(ctx, &sdk.ConfigureRequest{Integration: "crm", Settings: sdk.Settings(`{"token":"bench","records":0}`)})
	if err != nil || resp.HasErrors() {
		b.Fatalf("configure test connector: %v %v", err, resp)
	}
	return p
}

// echoClient launches the echo plugin with go-plugin, killed when the
// benchmark ends, and returns its client (to stop it sooner) and Echoer.
func (w *world) echoClient(b testing.TB) (*plugin.Client, echo.Echoer) {
	b.Helper()
	client := plugin.NewClient(echo.ClientConfig(exec.Command(w.echo)))
	b.Cleanup(client.Kill)
	e, err := echo.Dispense(client)
	if err != nil {
		b.Fatalf("launch echo plugin: %v", err)
	}
	return client, e
}

// benchJob is the job of the seq-th call: a fresh attempt each time, as
// the engine sends.
func benchJob(seq int) sdk.Job {
	return sdk.Job{
		IdempotencyKey: fmt.Sprintf("01JBENCH0000000000000000%02d:X:1:crm:%d", seq%100, seq),
		RequestID:      "01JBENCH00000000000000000",
		RequestType:    sdk.RequestAccess,
		Subject:        sdk.Subject{Email: fmt.Sprintf("subject-%d@example.com", seq)},
		Integration:    "crm",
	}
}

// timeCall times one call of f.
func timeCall(b testing.TB, f func() error) time.Duration {
	b.Helper()
	start := time.Now()
	err := f()
	took := time.Since(start)
	must(b, err)
	return took
}

func must(b testing.TB, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
