package reply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	mail "github.com/wneessen/go-mail"
)

// Mailer composes and sends replies.
type Mailer struct {
	smtp      config.SMTP
	templates map[string]config.ReplyTemplate
	timeout   time.Duration
}

// New returns a Mailer sending through smtp with the configured templates
// (request types without one use built-in defaults).
func New(smtp config.SMTP, templates map[string]*config.ReplyTemplate) (*Mailer, error) {
	if err := Check(templates); err != nil {
		return nil, err
	}
	m := &Mailer{smtp: smtp, templates: map[string]config.ReplyTemplate{}, timeout: 30 * time.Second}
	for name, t := range templates {
		m.templates[name] = *t
	}
	return m, nil
}

// Send mails the reply to the request's subject.
func (m *Mailer) Send(ctx context.Context, r *engine.Request, reply engine.Reply) error {
	if r.Subject.Email == "" {
		return errors.New("send reply: the request has no email address")
	}
	if err := m.SendTo(ctx, r.Subject.Email, reply.Subject, reply.Body); err != nil {
		return fmt.Errorf("send reply: %w", err)
	}
	return nil
}

// SendTo mails a plain-text message to one address, for the privacy
// center's verification and confirmation emails as for replies. Errors
// never quote the address.
func (m *Mailer) SendTo(ctx context.Context, to, subject, body string) error {
	msg := mail.NewMsg()
	if err := msg.From(m.smtp.From); err != nil {
		return fmt.Errorf("smtp.from: %w", err)
	}
	if err := msg.To(to); err != nil {
		// The address is personal data: say what is wrong, not what it is.
		return errors.New("the recipient's email address is not valid")
	}
	msg.Subject(subject)
	msg.SetBodyString(mail.TypeTextPlain, body)
	msg.SetMessageID()
	msg.SetDate()

	opts := []mail.Option{mail.WithPort(m.smtp.Port), mail.WithTimeout(m.timeout)}
	switch m.smtp.TLS {
	case config.SMTPImplicitTLS:
		opts = append(opts, mail.WithSSL())
	case config.SMTPNoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if m.smtp.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(m.smtp.Username), mail.WithPassword(m.smtp.Password.Value()))
	}
	client, err := mail.NewClient(m.smtp.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send through %s:%d: %w", m.smtp.Host, m.smtp.Port, scrub(err, to))
	}
	return nil
}

// scrub keeps the subject's address out of an SMTP error (servers echo
// refused recipients).
func scrub(err error, email string) error {
	if email == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), email, "(the subject's address)"))
}
