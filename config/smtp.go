package config

import (
	"net/mail"

	"github.com/hashicorp/hcl/v2"
)

const defaultSMTPPort = 587

var smtpSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "host", Required: true},
		{Name: "port"},
		{Name: "username"},
		{Name: "password"},
		{Name: "from", Required: true},
		{Name: "tls"},
	},
}

func (d *decoder) smtp(blk *hcl.Block) *SMTP {
	s := &SMTP{Port: defaultSMTPPort, TLS: SMTPStartTLS, DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(smtpSchema)
	d.add(diags...)
	attrs := content.Attributes

	s.Host = d.nonEmptyString(attrs["host"])
	if a := attrs["port"]; a != nil {
		if n, ok := d.integer(a, 1, 65535); ok {
			s.Port = n
		}
	}
	if a := attrs["username"]; a != nil {
		s.Username, _, _ = d.str(a)
	}
	s.Password = d.secretString(attrs["password"])
	if a := attrs["from"]; a != nil {
		if v, _, ok := d.str(a); ok {
			if _, err := mail.ParseAddress(v); err == nil {
				s.From = v
			} else {
				d.errorAt(a.Expr.Range(), "Invalid sender address",
					`from must be an email address, such as "privacy@example.com" or "Privacy <privacy@example.com>".`)
			}
		}
	}
	if a := attrs["tls"]; a != nil {
		if v, secret, ok := d.str(a); ok {
			switch m := SMTPTLS(v); m {
			case SMTPStartTLS, SMTPImplicitTLS, SMTPNoTLS:
				s.TLS = m
			default:
				d.errorAt(a.Expr.Range(), "Invalid SMTP TLS mode",
					`tls %s is not "starttls", "tls" or "none".`, describe(v, secret))
			}
		}
	}
	return s
}
