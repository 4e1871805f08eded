package pluginhost_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// TestReadyWhileRestartingAndInCrashLoop: a plugin being restarted is not
// ready and says when it will be; one that keeps dying right after each
// start is in a crash loop, which Ready reports as an error naming the
// plugin and Health shows.
func TestReadyWhileRestartingAndInCrashLoop(t *testing.T) {
	logs := &testlog.Buffer{}
	h := pluginhost.New(hclog.New(&hclog.LoggerOptions{Name: "dsrhost", Level: hclog.Debug, Output: logs}), pluginhost.Options{
		InitialBackoff: 300 * time.Millisecond, MaxBackoff: time.Minute, ExitPollInterval: 10 * time.Millisecond,
		StartTimeout: 30 * time.Second, CrashLoopRestarts: 3,
	})
	t.Cleanup(func() {
		h.Close()
		if t.Failed() {
			t.Logf("host logs:\n%s", logs.String())
		}
	})
	p := startTestConnector(t, h, "crm-plugin", sdktest.Build(t, testConnectorPkg))
	configure(t, p, settings(`"crash_on":"access"`))
	if ok, _, loop := p.Ready(); !ok || loop != nil {
		t.Fatalf("a healthy plugin: Ready() = %v, %v", ok, loop)
	}

	for crash := 1; crash <= 3; crash++ {
		waitFor(t, "the plugin to be up", func() bool { ok, _, _ := p.Ready(); return ok })
		_, err := p.Connector().Access(context.Background(), &sdk.AccessRequest{Job: job})
		var serr *sdk.Error
		if !errors.As(err, &serr) || serr.Type != sdk.ErrorPluginCrashed {
			t.Fatalf("crash %d: Access err = %v, want plugin_crashed", crash, err)
		}
		if crash == 3 {
			break
		}
		var at time.Time
		var loop error
		waitFor(t, "the restart to begin", func() bool {
			var ok bool
			ok, at, loop = p.Ready()
			return !ok
		})
		if loop != nil || !at.After(time.Now().Add(-time.Second)) {
			t.Errorf("crash %d: restarting plugin: retryAt %v, crash loop %v; want a time to come back and no crash loop", crash, at, loop)
		}
	}

	var loop error
	waitFor(t, "the crash loop", func() bool { _, _, loop = p.Ready(); return loop != nil })
	var serr *sdk.Error
	if !errors.As(loop, &serr) || serr.Type != sdk.ErrorPluginCrashed || !strings.Contains(serr.Message, `"crm-plugin"`) ||
		!strings.Contains(serr.Remediation, `"crm-plugin"`) {
		t.Errorf("crash loop error %#v: want plugin_crashed naming the plugin in message and remediation", loop)
	}
	if hl := p.Health(); !hl.CrashLoop || !strings.Contains(hl.Message, "crash loop") {
		t.Errorf("Health() = %+v, want it to say crash loop", hl)
	}
	if !strings.Contains(logs.String(), "plugin is in a crash loop") {
		t.Error("the crash loop is not logged")
	}
}
