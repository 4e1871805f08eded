package config

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRequestTypeDeadlines(t *testing.T) {
	cfg, _, diags := Parse("rt.hcl", []byte(privacyBase+`request_type "access" {
  deadline           = "1mo"
  extension          = "2mo"
  clock_starts       = "verification"
  acknowledge_within = "10d"
}
request_type "deletion" {
  deadline  = "45d"
  extension = "45d"
}
`))
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %v", diags)
	}
	a, del := cfg.RequestTypes["access"], cfg.RequestTypes["deletion"]
	got := fmt.Sprint(a.DeadlineMonths, a.ExtensionMonths, a.ClockStartsAtVerification, a.AcknowledgeWithin.Duration,
		del.DeadlineMonths, del.Deadline.Duration, del.Extension.Duration, del.ClockStartsAtVerification)
	want := fmt.Sprint(1, 2, true, 240*time.Hour, 0, 1080*time.Hour, 1080*time.Hour, false)
	if got != want {
		t.Errorf("decoded %s, want %s", got, want)
	}
	if a.Deadline.Duration != 31*24*time.Hour {
		t.Errorf("a month's bound %v", a.Deadline.Duration)
	}
	if cfg.RequestTypes["do_not_sell"].Extension.Duration != 0 {
		t.Error("an undeclared type has an extension")
	}
}

func TestRequestTypeDeadlineDiagnostics(t *testing.T) {
	tests := []struct{ name, attr, want string }{
		{"zero months", `deadline = "0mo"`, "11:14: Invalid duration"},
		{"fractional months", `extension = "1.5mo"`, "11:15: Invalid duration"},
		{"bad clock", `clock_starts = "submission"`, "11:18: Invalid clock start"},
		{"bad acknowledgement", `acknowledge_within = "soon"`, "11:24: Invalid duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, diags := Parse("rt.hcl", []byte(privacyBase+"request_type \"access\" {\n  "+tt.attr+"\n}\n"))
			var got []string
			for _, d := range diags {
				got = append(got, fmt.Sprintf("%d:%d: %s", d.Subject.Start.Line, d.Subject.Start.Column, d.Summary))
			}
			if diff := cmp.Diff([]string{tt.want}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
