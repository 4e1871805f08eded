package telemetry

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestDashboardUsesRealMetrics fails when the example Grafana dashboard
// queries a metric dsrhost does not export (a renamed metric would leave
// its panel empty without anyone noticing).
func TestDashboardUsesRealMetrics(t *testing.T) {
	raw, err := os.ReadFile("../../../examples/grafana/dsrhost-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	m := NewMetrics("v", "c")
	ch := make(chan *prometheus.Desc, 100)
	go func() {
		for _, c := range []prometheus.Collector{m.jobsStarted, m.jobsFinished, m.callLatency, m.flowWaits, m.flowWaitTime, m.pcSubmitted, m.pcVerified, NewCollector(CollectorOptions{})} {
			c.Describe(ch)
		}
		close(ch)
	}()
	name := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	for d := range ch {
		known[name.FindStringSubmatch(d.String())[1]] = true
	}
	known["dsrhost_build_info"] = true
	used := regexp.MustCompile(`dsrhost_[a-z_]+`).FindAllString(string(raw), -1)
	if len(used) == 0 {
		t.Fatal("the dashboard queries no dsrhost metric")
	}
	for _, u := range used {
		base := u
		for _, suffix := range []string{"_bucket", "_count", "_sum"} {
			base = strings.TrimSuffix(base, suffix)
		}
		if !known[base] && base != "dsrhost" {
			t.Errorf("the dashboard queries %s, which dsrhost does not export", u)
		}
	}
}
