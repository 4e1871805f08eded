package config

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in          string
		want        time.Duration
		wantSummary string
	}{
		{"90s", 90 * time.Second, ""},
		{"15m", 15 * time.Minute, ""},
		{"24h", 24 * time.Hour, ""},
		{"14d", 14 * 24 * time.Hour, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"0s", 0, ""},
		{"", 0, "Invalid duration"},
		{"1 day", 0, "Invalid duration"},
		{"45", 0, "Invalid duration"},
		{"1.5d", 0, "Invalid duration"},
		{"d", 0, "Invalid duration"},
		{"-5m", 0, "Negative duration"},
		{"-1d", 0, "Negative duration"},
		{" -1d", 0, "Negative duration"},
	}
	for _, tt := range tests {
		got, summary, detail := parseDuration(tt.in)
		if summary != tt.wantSummary || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %q; want %v, %q", tt.in, got, summary, tt.want, tt.wantSummary)
		}
		if summary != "" && strings.Contains(detail, strconv.Quote(tt.in)) {
			t.Errorf("parseDuration(%q) detail quotes the value: %s", tt.in, detail)
		}
	}
}
