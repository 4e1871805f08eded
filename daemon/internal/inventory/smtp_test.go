package inventory

import (
	"testing"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestInheritSMTP(t *testing.T) {
	top := &config.SMTP{Host: "smtp.example.com", Port: 587, Username: "privacy", Password: "pw", From: "privacy@example.com", TLS: config.SMTPStartTLS}
	dc := &sdk.Description{Type: sdk.DirectContact}
	tests := []struct {
		name     string
		settings string
		d        *sdk.Description
		smtp     *config.SMTP
		want     string
	}{
		{"inherits server and sender", `{"to":["a@b.example"]}`, dc, top,
			`{"from":"privacy@example.com","smtp":{"host":"smtp.example.com","password":"pw","port":587,"tls":"starttls","username":"privacy"},"to":["a@b.example"]}`},
		{"keeps its own server", `{"smtp":{"host":"own"},"to":["a@b.example"]}`, dc, top, `{"smtp":{"host":"own"},"to":["a@b.example"]}`},
		{"keeps its own sender", `{"from":"x@y.example"}`, dc, top,
			`{"from":"x@y.example","smtp":{"host":"smtp.example.com","password":"pw","port":587,"tls":"starttls","username":"privacy"}}`},
		{"no top-level block", `{"to":[]}`, dc, nil, `{"to":[]}`},
		{"not direct contact", `{"to":[]}`, &sdk.Description{Type: sdk.SynchronousAPI}, top, `{"to":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(inheritSMTP([]byte(tt.settings), tt.d, tt.smtp)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
