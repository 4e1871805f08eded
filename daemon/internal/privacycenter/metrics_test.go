package privacycenter_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/config"
)

// countingMetrics records what the center reports.
type countingMetrics struct {
	mu     sync.Mutex
	events []string
}

func (m *countingMetrics) add(s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, s)
}

func (m *countingMetrics) Submitted(rt string)     { m.add("submitted:" + rt) }
func (m *countingMetrics) Verified(outcome string) { m.add("verified:" + outcome) }
func (m *countingMetrics) Downloaded()             { m.add("downloaded") }

func TestMetricsHook(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) { pc.Verification.Method = config.VerifyCode })
	m := &countingMetrics{}
	h.metrics = m
	h.center = h.newCenter(h.rdb)
	h.srv.Config.Handler = h.center.Handler()

	page, mail := h.submit("access", form("email", "ada@example.com"))
	h.post(page, page, form("code", "abcdef"))
	r := h.post(page, page, form("code", code(t, mail)))
	id := reference(t, r)
	h.mail()
	h.get(page)
	dl := downloadLink(t, h.closeWithReply(id))
	h.post(dl, dl, form())
	want := "submitted:access verified:wrong verified:verified verified:reused downloaded"
	if got := strings.Join(m.events, " "); got != want {
		t.Errorf("metrics %q, want %q", got, want)
	}
}
