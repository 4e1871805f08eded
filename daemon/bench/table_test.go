package bench

import (
	"strings"
	"testing"
	"time"
)

func TestRowResult(t *testing.T) {
	tests := []struct {
		name string
		row  Row
		want string
	}{
		{"ratio at least, met", Row{Value: 6, Anchor: "a", AnchorValue: 10, Goal: RatioAtLeast(0.6)}, "PASS"},
		{"ratio at least, missed", Row{Value: 5, Anchor: "a", AnchorValue: 10, Goal: RatioAtLeast(0.6)}, "MISS"},
		{"ratio at most, met", Row{Value: 12, Anchor: "a", AnchorValue: 10, Goal: RatioAtMost(1.2)}, "PASS"},
		{"ratio at most, missed", Row{Value: 13, Anchor: "a", AnchorValue: 10, Goal: RatioAtMost(1.2)}, "MISS"},
		{"absolute, met", Row{Value: 0.019, Unit: Seconds, Goal: AtMost(0.020, Seconds)}, "PASS"},
		{"absolute, missed", Row{Value: 0.021, Unit: Seconds, Goal: AtMost(0.020, Seconds)}, "MISS"},
		{"no goal", Row{Value: 1}, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.row.Result(); got != tt.want {
				t.Errorf("Result() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTableWrite(t *testing.T) {
	tab := &Table{Title: "title", Rows: []Row{
		{Item: 2, Measure: "call p50", Unit: Seconds, Value: 0.000120, Anchor: "echo", AnchorValue: 0.000100, Goal: RatioAtMost(1.2)},
		{Item: 1, Measure: "jobs", Unit: PerSecond, Value: 500, Anchor: "asynq", AnchorValue: 1000, Goal: RatioAtLeast(0.6), Note: "a note"},
		{Item: 3, Measure: "bytes", Unit: Bytes, Value: 2048},
	}}
	var b strings.Builder
	if err := tab.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var rows []string
	for _, l := range lines {
		if len(l) > 0 && l[0] >= '1' && l[0] <= '9' {
			rows = append(rows, strings.Join(strings.Fields(l), " "))
		}
	}
	want := []string{
		"1 jobs [1] 500/s asynq 1000/s 0.500 ratio ≥ 0.6 MISS",
		"2 call p50 120µs echo 100µs 1.200 ratio ≤ 1.2 PASS",
		"3 bytes 2.00 KiB - - - - -",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s\nwhole output:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"), out)
	}
	if !strings.Contains(out, "[1] a note") {
		t.Errorf("note missing:\n%s", out)
	}
}

func TestPercentile(t *testing.T) {
	var s []time.Duration
	for i := 100; i >= 1; i-- {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond, 0: time.Millisecond} {
		if got := Percentile(s, p); got != want {
			t.Errorf("Percentile(%v) = %v, want %v", p, got, want)
		}
	}
	if s[0] != 100*time.Millisecond {
		t.Error("Percentile sorted its argument in place")
	}
	if Percentile(nil, 50) != 0 {
		t.Error("Percentile of nothing is not 0")
	}
}
