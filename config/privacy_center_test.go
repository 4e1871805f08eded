package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// privacyBase is a valid file the privacy center cases add to; its first
// line is line 1, so a case's block starts at line 10.
const privacyBase = `redis {
  url = "redis://127.0.0.1:6379"
}
encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
smtp {
  host = "127.0.0.1"
  from = "privacy@example.com"
}

`

func TestPrivacyCenterDecodes(t *testing.T) {
	cfg, _, diags := Parse("pc.hcl", []byte(privacyBase+`privacy_center {
  listen       = "0.0.0.0:9443"
  public_url   = "https://privacy.example.com"
  organisation = "Example Ltd"
  contact      = "dpo@example.com"
  request_type "access" {
    identifiers = ["phone", "customer_number"]
  }
  request_type "do_not_sell" {}
  verification {
    method       = "code"
    ttl          = "2h"
    max_attempts = 3
  }
  download {
    ttl      = "3d"
    max_uses = 2
  }
  rate_limit {
    per                   = "10m"
    submissions_per_ip    = 4
    submissions_per_email = 2
    verifications_per_ip  = 9
  }
}
`))
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %v", diags)
	}
	pc := cfg.PrivacyCenter
	got := fmt.Sprintf("%v %s %s %s %s %s/%v %s/%v/%d %v/%d %v/%d/%d/%d", pc.Enabled, pc.Listen, pc.PublicURL, pc.Organisation, pc.Contact,
		pc.RequestTypes[0].Name, pc.RequestTypes[0].Identifiers, pc.Verification.Method, pc.Verification.TTL.Duration, pc.Verification.MaxAttempts,
		pc.Download.TTL.Duration, pc.Download.MaxUses, pc.Limits.Window.Duration, pc.Limits.SubmissionsPerIP, pc.Limits.SubmissionsPerEmail, pc.Limits.VerificationsPerIP)
	want := "true 0.0.0.0:9443 https://privacy.example.com Example Ltd dpo@example.com access/[phone customer_number] code/2h0m0s/3 72h0m0s/2 10m0s/4/2/9"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
	if len(pc.RequestTypes) != 2 || pc.RequestTypes[1].Name != "do_not_sell" || pc.Offers("deletion") != nil {
		t.Errorf("offered types %v", pc.RequestTypes)
	}
}

func TestPrivacyCenterDefaults(t *testing.T) {
	cfg, _, diags := Parse("pc.hcl", []byte(privacyBase+"privacy_center {}\n"))
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %v", diags)
	}
	pc := cfg.PrivacyCenter
	if !pc.Enabled || pc.Verification.Method != VerifyLink || pc.Verification.TTL.Duration != 24*time.Hour ||
		pc.Download.TTL.Duration != 7*24*time.Hour || pc.Download.MaxUses != 3 || pc.Offers("access") == nil || pc.Offers("deletion") == nil ||
		pc.PublicURL != "http://localhost:8443" {
		t.Errorf("defaults %+v", pc)
	}
	cfg, _, _ = Parse("pc.hcl", []byte(privacyBase))
	if cfg.PrivacyCenter != nil {
		t.Error("a file without the block has a privacy center")
	}
}

func TestPrivacyCenterDiagnostics(t *testing.T) {
	tests := []struct {
		name, block string
		want        []string
	}{
		{"bad method", "privacy_center {\n  verification {\n    method = \"sms\"\n  }\n}\n", []string{"12:14: Invalid verification method"}},
		{"bad ttl", "privacy_center {\n  verification {\n    ttl = \"soon\"\n  }\n}\n", []string{"12:11: Invalid duration"}},
		{"zero uses", "privacy_center {\n  download {\n    max_uses = 0\n  }\n}\n", []string{"12:16: Number out of range"}},
		{"unknown type", "privacy_center {\n  request_type \"refund\" {}\n}\n", []string{"11:16: Unknown request type"}},
		{"email identifier", "privacy_center {\n  request_type \"access\" {\n    identifiers = [\"phone\", \"email\"]\n  }\n}\n", []string{"12:29: Invalid identifier"}},
		{"bad identifier", "privacy_center {\n  request_type \"access\" {\n    identifiers = [\"Customer No\"]\n  }\n}\n", []string{"12:20: Invalid identifier"}},
		{"duplicate type", "privacy_center {\n  request_type \"access\" {}\n  request_type \"access\" {}\n}\n", []string{"12:3: Duplicate request_type block"}},
		{"bad contact", "privacy_center {\n  contact = \"nobody\"\n}\n", []string{"11:13: Invalid contact address"}},
		{"bad listen", "privacy_center {\n  listen = \"8443\"\n}\n", []string{"11:12: Invalid listen address"}},
		{"bad public url", "privacy_center {\n  public_url = \"privacy.example.com\"\n}\n", []string{"11:16: Invalid public URL"}},
		{"unknown attribute", "privacy_center {\n  captcha = true\n}\n", []string{"11:3: Unsupported argument"}},
		{"duplicate block", "privacy_center {}\nprivacy_center {}\n", []string{"11:1: Duplicate privacy_center block"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, diags := Parse("pc.hcl", []byte(privacyBase+tt.block))
			var got []string
			for _, d := range diags {
				got = append(got, fmt.Sprintf("%d:%d: %s", d.Subject.Start.Line, d.Subject.Start.Column, d.Summary))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrivacyCenterNeedsSMTP(t *testing.T) {
	src := strings.Replace(privacyBase, "smtp {\n  host = \"127.0.0.1\"\n  from = \"privacy@example.com\"\n}\n", "\n\n\n\n", 1)
	_, _, diags := Parse("pc.hcl", []byte(src+"privacy_center {}\n"))
	if len(diags) != 1 || diags[0].Summary != "Privacy center without smtp block" || diags[0].Subject.Start.Line != 10 {
		t.Errorf("diagnostics %v", diags)
	}
	_, _, diags = Parse("pc.hcl", []byte(src+"privacy_center {\n  enabled = false\n}\n"))
	if diags.HasErrors() {
		t.Errorf("a disabled privacy center needs no smtp block: %v", diags)
	}
}
