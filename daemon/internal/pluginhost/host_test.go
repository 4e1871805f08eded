package pluginhost_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// secretToken is given as a sensitive setting; it must never reach a log.
const secretToken = "tok-3f9a1c-do-not-log"

var job = sdk.Job{
	IdempotencyKey: "req-1/test/1",
	RequestID:      "01JTESTREQUEST",
	RequestType:    sdk.RequestAccess,
	Subject:        sdk.Subject{Email: "ada@example.com"},
	Integration:    "crm",
}

func settings(extra string) sdk.Settings {
	s := `{"token":"` + secretToken + `"`
	if extra != "" {
		s += "," + extra
	}
	return sdk.Settings(s + "}")
}

func configure(t *testing.T, p *pluginhost.Plugin, s sdk.Settings) {
	t.Helper()
	resp, err := p.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "crm", Settings: s})
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if resp.HasErrors() {
		t.Fatalf("Configure: diagnostics %+v", resp.Diagnostics)
	}
}

// accessRecords runs Access and returns how many records it found.
func accessRecords(t *testing.T, p *pluginhost.Plugin) int {
	t.Helper()
	resp, err := p.Connector().Access(context.Background(), &sdk.AccessRequest{Job: job})
	if err != nil {
		t.Fatalf("Access: %v", err)
	}
	return len(resp.Records)
}

func startTestConnector(t *testing.T, h *pluginhost.Host, name, bin string) *pluginhost.Plugin {
	t.Helper()
	p, err := h.Start(context.Background(), pluginhost.Spec{
		Name: name, Command: bin, Args: []string{"-type", "sync"}, SHA256: sha256File(t, bin),
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return p
}

func TestStartDescribeConfigureAccess(t *testing.T) {
	h, logs := newHost(t)
	bin := sdktest.Build(t, testConnectorPkg)
	p := startTestConnector(t, h, "crm-plugin", bin)

	desc := p.Describe()
	if desc == nil || desc.Name != "testconnector" || desc.Type != sdk.SynchronousAPI || !desc.Can(sdk.CapabilityAccess) {
		t.Fatalf("Describe() = %+v, want the sync test connector", desc)
	}
	if got, want := p.SHA256(), sha256File(t, bin); got != want {
		t.Errorf("SHA256() = %s, want %s", got, want)
	}
	hl := p.Health()
	if hl.State != pluginhost.StateHealthy || !alive(hl.PID) || hl.Restarts != 0 {
		t.Errorf("Health() = %+v, want healthy with a live pid", hl)
	}
	if got, ok := h.Plugin("crm-plugin"); !ok || got != p {
		t.Errorf("Plugin(crm-plugin) = %v, %v", got, ok)
	}

	// A rejected Configure reports its diagnostics; an accepted one takes
	// effect on the live process.
	resp, err := p.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "crm", Settings: sdk.Settings(`{"records":3}`)})
	if err != nil {
		t.Fatalf("Configure without token: %v", err)
	}
	if !resp.HasErrors() || !slices.Equal(resp.Diagnostics[0].Path, []string{"token"}) {
		t.Fatalf("Configure without token: diagnostics %+v, want one on token", resp.Diagnostics)
	}
	configure(t, p, settings(`"records":3`))
	if n := accessRecords(t, p); n != 3 {
		t.Errorf("Access found %d records, want the 3 configured", n)
	}

	// The plugin's own log lines arrive under its name.
	waitFor(t, "the plugin's log line", func() bool {
		return strings.Contains(logs.String(), "dsrhost.plugin.crm-plugin")
	})
	if strings.Contains(logs.String(), secretToken) || strings.Contains(logs.String(), job.Subject.Email) {
		t.Errorf("logs hold the token or the subject's email:\n%s", logs)
	}
}

func TestChecksumMismatchRefused(t *testing.T) {
	h, _ := newHost(t)
	bin := privateBinary(t, testConnectorPkg)
	actual := sha256File(t, bin)
	wrong := strings.Repeat("ab", 32)

	_, err := h.Start(context.Background(), pluginhost.Spec{Name: "crm-plugin", Command: bin, SHA256: wrong})
	var cerr *pluginhost.ChecksumError
	if !errors.As(err, &cerr) {
		t.Fatalf("Start with a wrong sha256: err = %v, want a *ChecksumError", err)
	}
	if cerr.Path != bin || cerr.Expected != wrong || cerr.Actual != actual {
		t.Errorf("ChecksumError = %+v, want path %s, expected %s, actual %s", cerr, bin, wrong, actual)
	}
	for _, want := range []string{bin, wrong, actual, `"crm-plugin"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if pids := processesOf(t, bin); len(pids) != 0 {
		t.Errorf("processes %v run the refused binary", pids)
	}
	if ps := h.Plugins(); len(ps) != 0 {
		t.Errorf("Plugins() = %d plugins after a refused start, want none", len(ps))
	}

	// The refused name is free again: the right checksum starts.
	startTestConnector(t, h, "crm-plugin", bin)
}

func TestProtocolVersionMismatchRefused(t *testing.T) {
	h, _ := newHost(t)
	bin := privateBinary(t, wrongProtocolPkg)

	_, err := h.Start(context.Background(), pluginhost.Spec{Name: "future", Command: bin})
	var perr *pluginhost.ProtocolVersionError
	if !errors.As(err, &perr) {
		t.Fatalf("Start: err = %v, want a *ProtocolVersionError", err)
	}
	if perr.PluginVersion != 99 || !slices.Equal(perr.Supported, []int{sdk.ProtocolVersion}) {
		t.Errorf("ProtocolVersionError = %+v, want plugin 99, supported [%d]", perr, sdk.ProtocolVersion)
	}
	if msg := err.Error(); !strings.Contains(msg, "version 99") || !strings.Contains(msg, "supports version 1") {
		t.Errorf("error %q does not name both versions", msg)
	}
	if pids := processesOf(t, bin); len(pids) != 0 {
		t.Errorf("processes %v of the refused plugin are still running", pids)
	}
}

func TestKilledPluginIsRestarted(t *testing.T) {
	h, logs := newHost(t)
	p := startTestConnector(t, h, "crm-plugin", sdktest.Build(t, testConnectorPkg))
	configure(t, p, settings(`"records":3`))

	old := p.Health().PID
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatalf("kill plugin: %v", err)
	}
	waitFor(t, "the restart", func() bool {
		hl := p.Health()
		return hl.State == pluginhost.StateHealthy && hl.Restarts >= 1
	})
	if hl := p.Health(); hl.PID == old || !alive(hl.PID) {
		t.Errorf("after restart Health() = %+v, want a new live pid (old %d)", hl, old)
	}
	// The restarted process got the integration's settings back.
	if n := accessRecords(t, p); n != 3 {
		t.Errorf("Access after restart found %d records, want the 3 configured before", n)
	}
	if p.Describe() == nil {
		t.Error("Describe() is nil after restart")
	}
	for _, want := range []string{"plugin process exited", "restarting plugin: attempt=1 backoff=", "plugin restarted"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q", want)
		}
	}
	if strings.Contains(logs.String(), secretToken) {
		t.Error("logs hold the token")
	}
}

func TestCrashDuringCallFailsAsPluginCrashed(t *testing.T) {
	h, logs := newHost(t)
	p := startTestConnector(t, h, "crm-plugin", sdktest.Build(t, testConnectorPkg))
	configure(t, p, settings(`"crash_on":"access"`))

	_, err := p.Connector().Access(context.Background(), &sdk.AccessRequest{Job: job})
	var serr *sdk.Error
	if !errors.As(err, &serr) || serr.Type != sdk.ErrorPluginCrashed || !serr.Retryable {
		t.Fatalf("Access on a crashing plugin: err = %#v, want a retryable plugin_crashed *sdk.Error", err)
	}
	waitFor(t, "the restart", func() bool {
		hl := p.Health()
		return hl.State == pluginhost.StateHealthy && hl.Restarts >= 1
	})
	configure(t, p, settings(`"records":1`))
	if n := accessRecords(t, p); n != 1 {
		t.Errorf("Access after restart found %d records, want 1", n)
	}
	if strings.Contains(logs.String(), job.Subject.Email) || strings.Contains(logs.String(), secretToken) {
		t.Errorf("logs hold the subject's email or the token:\n%s", logs)
	}
}

func TestRejectedSettingsAreNotReapplied(t *testing.T) {
	h, _ := newHost(t)
	p := startTestConnector(t, h, "crm-plugin", sdktest.Build(t, testConnectorPkg))
	configure(t, p, settings(`"records":3`))
	resp, err := p.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "crm", Settings: sdk.Settings(`{"token":"wrong","records":5}`)})
	if err != nil || !resp.HasErrors() {
		t.Fatalf("Configure with a refused token = %+v, %v; want diagnostics", resp, err)
	}
	// Validation alone changes nothing either.
	if _, err := p.Configure(context.Background(), &sdk.ConfigureRequest{Integration: "other", Settings: settings(`"records":4`), ValidateOnly: true}); err != nil {
		t.Fatalf("Configure ValidateOnly: %v", err)
	}

	// The refused settings left the running ones in force.
	if n := accessRecords(t, p); n != 3 {
		t.Errorf("Access after refused settings found %d records, want the accepted 3", n)
	}

	if err := syscall.Kill(p.Health().PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the restart", func() bool {
		hl := p.Health()
		return hl.State == pluginhost.StateHealthy && hl.Restarts >= 1
	})
	// Neither the refused settings nor the validated ones were applied to
	// the new process: it runs with the last accepted ones.
	if n := accessRecords(t, p); n != 3 {
		t.Errorf("Access after restart found %d records, want the accepted 3", n)
	}
}

func TestReplacedBinaryRefusedOnRestart(t *testing.T) {
	h, logs := newHost(t)
	bin := privateBinary(t, testConnectorPkg)
	original := sha256File(t, bin)
	p, err := h.Start(context.Background(), pluginhost.Spec{Name: "crm-plugin", Command: bin})
	if err != nil {
		t.Fatal(err)
	}
	configure(t, p, settings(""))
	if p.SHA256() != original {
		t.Fatalf("SHA256() = %s, want the pinned %s", p.SHA256(), original)
	}
	if !strings.Contains(logs.String(), "no sha256 configured") {
		t.Error("no warning about the missing sha256")
	}

	// Swap the binary under the running plugin, then kill it.
	copyFile(t, sdktest.Build(t, wrongProtocolPkg), bin)
	swapped := sha256File(t, bin)
	if err := syscall.Kill(p.Health().PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "health failed", func() bool { return p.Health().State == pluginhost.StateFailed })
	msg := p.Health().Message
	for _, want := range []string{bin, original, swapped} {
		if !strings.Contains(msg, want) {
			t.Errorf("health message %q does not name %s", msg, want)
		}
	}
	_, err = p.Connector().Access(context.Background(), &sdk.AccessRequest{Job: job})
	var serr *sdk.Error
	if !errors.As(err, &serr) || serr.Type != sdk.ErrorPluginCrashed || !serr.Retryable {
		t.Errorf("Access while the plugin is down: err = %v, want retryable plugin_crashed", err)
	}
	if strings.Count(logs.String(), "no sha256 configured") != 1 {
		t.Error("the missing-sha256 warning was not logged exactly once")
	}

	// Putting the right binary back heals the plugin.
	copyFile(t, sdktest.Build(t, testConnectorPkg), bin)
	waitFor(t, "the plugin to recover", func() bool {
		hl := p.Health()
		return hl.State == pluginhost.StateHealthy && hl.Restarts == 1
	})
	if n := accessRecords(t, p); n != 2 {
		t.Errorf("Access after recovery found %d records, want 2", n)
	}
}

func TestCloseKillsEveryPlugin(t *testing.T) {
	h, _ := newHost(t)
	bin := privateBinary(t, testConnectorPkg)
	a := startTestConnector(t, h, "a", bin)
	b := startTestConnector(t, h, "b", bin)
	if _, err := h.Start(context.Background(), pluginhost.Spec{Name: "a", Command: bin}); err == nil {
		t.Error("a second plugin named a started")
	}
	if got := h.Plugins(); len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("Plugins() = %v, want [a b]", got)
	}
	pids := []int{a.Health().PID, b.Health().PID}

	h.Close()
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("plugin process %d outlived Close", pid)
		}
	}
	if left := processesOf(t, bin); len(left) != 0 {
		t.Errorf("processes %v outlived Close", left)
	}
	if st := a.Health().State; st != pluginhost.StateStopped {
		t.Errorf("Health().State after Close = %s, want stopped", st)
	}
	_, err := a.Connector().Access(context.Background(), &sdk.AccessRequest{Job: job})
	var serr *sdk.Error
	if !errors.As(err, &serr) || serr.Type != sdk.ErrorPluginCrashed || serr.Retryable {
		t.Errorf("Access after Close: err = %v, want non-retryable plugin_crashed", err)
	}
	if _, err := h.Start(context.Background(), pluginhost.Spec{Name: "c", Command: bin}); !errors.Is(err, pluginhost.ErrClosed) {
		t.Errorf("Start after Close: err = %v, want ErrClosed", err)
	}
	if got := h.Plugins(); len(got) != 0 {
		t.Errorf("Plugins() after Close = %v, want none", got)
	}
}

func TestCloseDuringRestartLeavesNoProcess(t *testing.T) {
	h, _ := newHost(t)
	bin := privateBinary(t, testConnectorPkg)
	p := startTestConnector(t, h, "crm-plugin", bin)
	if err := syscall.Kill(p.Health().PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the death to be noticed", func() bool {
		hl := p.Health()
		return hl.State != pluginhost.StateHealthy || hl.Restarts > 0
	})
	h.Close()
	if left := processesOf(t, bin); len(left) != 0 {
		t.Errorf("processes %v outlived Close", left)
	}
}
