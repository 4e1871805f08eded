package connector

import (
	"testing"
	"time"
)

// Each strategy writes what it promises, and masking its own output again
// changes nothing: that is what makes a rerun of a job change nothing more.
func TestStrategiesAreFixpoints(t *testing.T) {
	text := columnInfo{Class: classText, Nullable: true, MaxLen: 40}
	date := columnInfo{Class: classDate}
	sqliteDate := columnInfo{Class: classDate, textDates: true}
	born := time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC)
	in := func(c columnInfo) maskInput {
		return maskInput{hashKey: []byte("k0123456789abcdef"), jobKey: "job-1", table: "users", row: "1", column: "x", col: c}
	}
	cases := []struct {
		strategy string
		col      columnInfo
		old      any
		want     func(any) bool
	}{
		{"null", text, "Ada", func(v any) bool { return v == nil }},
		{"fixed:redacted", text, "Ada", func(v any) bool { return v == "redacted" }},
		{"hash", text, "ada@example.com", func(v any) bool { s, _ := v.(string); return isLowerHex(s, 40) }},
		{"random:12", text, "countess", func(v any) bool { s, _ := v.(string); return len(s) == 12 && s != "countess" }},
		{"truncate:year", date, born, func(v any) bool { return v.(time.Time).Equal(time.Date(1815, 1, 1, 0, 0, 0, 0, time.UTC)) }},
		{"truncate:month", sqliteDate, born, func(v any) bool { return v == "1815-12-01" }},
		{"truncate:day", text, "2024-03-15 10:30:00", func(v any) bool { return v == "2024-03-15 00:00:00" }},
	}
	for _, tc := range cases {
		t.Run(tc.strategy, func(t *testing.T) {
			st, problem := parseStrategy(tc.strategy)
			if problem != "" {
				t.Fatal(problem)
			}
			got, changed := st.apply(tc.old, in(tc.col))
			if !changed || !tc.want(got) {
				t.Fatalf("apply(%v) = %v, %v", tc.old, got, changed)
			}
			again, changed := st.apply(got, in(tc.col))
			if changed {
				t.Errorf("masking %v again changed it to %v", got, again)
			}
		})
	}
	for _, bad := range []string{"", "hash:sha1", "fixed", "random:3", "truncate:week", "scramble"} {
		if _, problem := parseStrategy(bad); problem == "" {
			t.Errorf("parseStrategy(%q) accepted it", bad)
		}
	}
}
