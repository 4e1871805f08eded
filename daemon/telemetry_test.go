package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
)

// viewerToken is a viewer's token in the telemetry test's configuration.
const viewerToken = "viewer-token"

// telemetryConfig writes a configuration with a telemetry block on its own
// listener and two integrations of the test connector: crm, which
// completes, and limited, which every call refuses as rate_limited.
func telemetryConfig(t *testing.T, bin, redisAddr, listen, telemetryListen string) string {
	t.Helper()
	cfg := fmt.Sprintf(`
server {
  listen = %[1]q
}
redis {
  url = "redis://%[2]s/0"
}
encryption_key = %[3]q
admin_token "ops" {
  sha256 = %[4]q
  role   = "admin"
}
admin_token "watcher" {
  sha256 = %[5]q
  role   = "viewer"
}
request_type "access" {
  auto_approve = true
}
telemetry {
  prometheus_metrics = true
  listen             = %[6]q
}
plugin "test" {
  command = %[7]q
  args    = ["-type", "sync"]
}
plugin "test-limited" {
  command = %[7]q
  args    = ["-type", "sync"]
}
integration "crm" {
  plugin = "test"
  settings {
    token = "t"
  }
}
integration "limited" {
  plugin         = "test-limited"
  retry_interval = "1h"
  settings {
    token     = "t"
    fail_with = "rate_limited"
  }
}
`, listen, redisAddr, testKey, auth.Hash(opsToken), auth.Hash(viewerToken), telemetryListen, filepath.Join(bin, "dsrhost-plugin-test"))
	path := filepath.Join(t.TempDir(), "dsrhost.hcl")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startTelemetryDaemon runs a daemon on telemetryConfig and returns the
// admin API's and the telemetry listener's addresses once it is healthy.
func startTelemetryDaemon(t *testing.T) (addr, metricsAddr string) {
	t.Helper()
	bin := testbin.Install(t)
	rs := testredis.Start(t)
	addr, metricsAddr = freeAddr(t), freeAddr(t)
	d := &daemon{cmd: newServerCmd(bin, telemetryConfig(t, bin, rs.Addr, addr, metricsAddr)), done: make(chan struct{})}
	startProcess(t, d)
	testbin.WaitServing(t, addr, d.log)
	return addr, metricsAddr
}

// TestMetricsCountABatch runs a batch of access requests through a daemon
// and checks the scraped counters against it, parsed with the Prometheus
// text parser: every crm job started and completed, every limited job
// failed as rate_limited, requests counted by stage, the queue and the
// plugin seen, and no label value that is an email or a request id.
func TestMetricsCountABatch(t *testing.T) {
	t.Parallel()
	const batch = 20
	addr, metricsAddr := startTelemetryDaemon(t)

	var ids []string
	for i := range batch {
		var res struct{ Request struct{ ID string } }
		body := map[string]any{"type": "REQUEST_TYPE_ACCESS", "subject": map[string]string{"email": fmt.Sprintf("person-%d@example.com", i)}}
		if code := call(t, addr, opsToken, "dsrhost.admin.v1.RequestService/CreateRequest", body, &res); code != http.StatusOK {
			t.Fatalf("create request %d: HTTP %d", i, code)
		}
		ids = append(ids, res.Request.ID)
	}

	want := map[string]float64{
		`dsrhost_jobs_started_total{integration="crm",workflow="extracting"}`:                     batch,
		`dsrhost_jobs_finished_total{integration="crm",outcome="complete",workflow="extracting"}`: batch,
		`dsrhost_connector_call_duration_seconds_count{integration="crm",method="Access"}`:        batch,
		`dsrhost_requests{stage="process"}`:                                                       batch,
		`dsrhost_plugin_health{plugin="test",state="healthy"}`:                                    1,
	}
	var got map[string]float64
	var families map[string]*dto.MetricFamily
	deadline := time.Now().Add(2 * time.Minute)
	for {
		families = scrape(t, metricsAddr)
		got = flatten(families)
		// A rate-limited job is waited out and tried again (at the
		// engine's backoff), so limited's count only has a floor.
		limited := got[`dsrhost_jobs_finished_total{integration="limited",outcome="rate_limited",workflow="extracting"}`]
		if matches(got, want) && limited >= batch {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never matched the batch:\nwant %v\ngot  %v", want, pick(got, want))
		}
		time.Sleep(500 * time.Millisecond)
	}
	// Retries of limited jobs may come, but every one started ends
	// rate_limited: none completes, none other.
	if s, f := got[`dsrhost_jobs_started_total{integration="limited",workflow="extracting"}`], got[`dsrhost_jobs_finished_total{integration="limited",outcome="rate_limited",workflow="extracting"}`]; s < batch || f > s {
		t.Errorf("limited: %v started, %v finished rate_limited", s, f)
	}
	for k := range got {
		if strings.HasPrefix(k, "dsrhost_jobs_finished_total{integration=\"limited\"") && !strings.Contains(k, "rate_limited") {
			t.Errorf("limited finished otherwise: %s", k)
		}
	}
	if _, ok := families["dsrhost_queue_tasks"]; !ok {
		t.Error("no dsrhost_queue_tasks")
	}
	checkLabelsHoldNoPersonalData(t, families, ids)
}

// checkLabelsHoldNoPersonalData fails on a label value that looks like an
// email or a request id, or is one of ids.
func checkLabelsHoldNoPersonalData(t *testing.T, families map[string]*dto.MetricFamily, ids []string) {
	t.Helper()
	ulid := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				v := l.GetValue()
				if strings.Contains(v, "@") || ulid.MatchString(v) || known[v] {
					t.Errorf("%s has label %s=%q", name, l.GetName(), v)
				}
			}
		}
	}
}

// scrape reads /metrics and parses it with the Prometheus text parser.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("scrape: HTTP %d %s", resp.StatusCode, b)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return families
}

// flatten keys every sample as name{label="value",...} (labels sorted, as
// the exposition writes them), histograms as their _count.
func flatten(families map[string]*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			key := name + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[key] = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				out[name+"_count{"+strings.Join(labels, ",")+"}"] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

func matches(got, want map[string]float64) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func pick(got, want map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k := range want {
		out[k] = got[k]
	}
	return out
}

// TestPprofNeedsAnAdminToken: /debug/pprof/ on the telemetry listener
// answers an admin token, and refuses no token, an unknown one and a
// viewer's; /metrics needs none.
func TestPprofNeedsAnAdminToken(t *testing.T) {
	t.Parallel()
	_, metricsAddr := startTelemetryDaemon(t)

	for _, tt := range []struct {
		path, token string
		want        int
	}{
		{"/debug/pprof/", "", http.StatusUnauthorized},
		{"/debug/pprof/heap", "wrong", http.StatusUnauthorized},
		{"/debug/pprof/goroutine", viewerToken, http.StatusForbidden},
		{"/debug/pprof/", opsToken, http.StatusOK},
		{"/debug/pprof/goroutine?debug=1", opsToken, http.StatusOK},
		{"/metrics", "", http.StatusOK},
	} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+metricsAddr+tt.path, nil)
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s with token %q: HTTP %d, want %d", tt.path, tt.token, resp.StatusCode, tt.want)
		}
		if tt.want == http.StatusOK && strings.HasPrefix(tt.path, "/debug/pprof/goroutine") && !strings.Contains(string(body), "goroutine profile") {
			t.Errorf("%s: not a goroutine profile:\n%.200s", tt.path, body)
		}
	}
}
