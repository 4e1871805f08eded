package connector

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/dsrhost/dsrhost/sdk"
)

// smtpSession is one open, logged-in conversation with the SMTP server.
//
// The conversation is driven step by step (connect and EHLO, STARTTLS, AUTH,
// then the message) rather than by go-mail's all-in-one DialAndSend, so that a
// failure is known by the step it happened in: a refused password must point
// at smtp.password and a refused connection at smtp.host, and matching on
// error texts would break with the next release of the library.
type smtpSession struct {
	client *gomail.Client
	conn   *smtp.Client
}

// failure is an SMTP problem with the setting it points at, so it can become
// either a Configure diagnostic or a job's error.
type failure struct {
	err  *sdk.Error
	path []string
	// warn marks problems that may pass by themselves (a greylisted
	// recipient) and so should not make Configure fail.
	warn bool
}

// diagnostic is the failure as Configure reports it.
func (f *failure) diagnostic() sdk.Diagnostic {
	d := sdk.CredentialError(f.path, f.err)
	if f.warn {
		d.Severity = sdk.SeverityWarning
	}
	return d
}

// openSMTP connects, secures the connection as configured and logs in.
func openSMTP(ctx context.Context, s smtpConfig, timeout time.Duration) (*smtpSession, *failure) {
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSConfig(s.tls),
		// STARTTLS is done below, step by step; see smtpSession.
		gomail.WithTLSPolicy(gomail.NoTLS),
	}
	if s.mode == tlsImplicit {
		opts = append(opts, gomail.WithSSL())
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return nil, &failure{path: []string{"smtp", "host"},
			err: sdk.Errorf(sdk.ErrorInvalidConfig, "set up SMTP client: %v", err)}
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, connectFailure(s, err)
	}
	sess := &smtpSession{client: client, conn: conn}
	if s.mode == tlsStartTLS {
		if ok, _ := conn.Extension("STARTTLS"); !ok {
			sess.abort()
			return nil, &failure{path: []string{"smtp", "tls"},
				err: sdk.Errorf(sdk.ErrorInvalidConfig, "the SMTP server at %s does not offer STARTTLS", s.address()).
					WithRemediation(`Use tls = "tls" if the server expects implicit TLS (usually port 465), or "none" only for a relay on a trusted network.`)}
		}
		if err := conn.StartTLS(s.tls); err != nil {
			sess.abort()
			return nil, connectFailure(s, err)
		}
	}
	if s.username != "" {
		if f := authenticate(conn, s); f != nil {
			sess.abort()
			return nil, f
		}
	}
	return sess, nil
}

// authenticate logs in with the best mechanism both sides support. PLAIN and
// LOGIN cover practically every submission server; go-mail refuses to send
// either over a connection without TLS unless the server is local.
func authenticate(conn *smtp.Client, s smtpConfig) *failure {
	ok, offered := conn.Extension("AUTH")
	if !ok {
		return &failure{path: []string{"smtp", "username"},
			err: sdk.Errorf(sdk.ErrorInvalidConfig, "the SMTP server at %s does not offer AUTH", s.address()).
				WithRemediation("Leave out smtp.username and smtp.password for a relay that needs no login; many servers offer AUTH only after STARTTLS.")}
	}
	mechs := strings.Fields(strings.ToUpper(offered))
	var auth smtp.Auth
	switch {
	case slices.Contains(mechs, "PLAIN"):
		auth = smtp.PlainAuth("", s.username, s.password, s.host, false)
	case slices.Contains(mechs, "LOGIN"):
		auth = smtp.LoginAuth(s.username, s.password, s.host, false)
	default:
		return &failure{path: []string{"smtp", "username"},
			err: sdk.Errorf(sdk.ErrorInvalidConfig, "the SMTP server at %s offers no login mechanism dsrhost supports (PLAIN or LOGIN)", s.address()).
				WithRemediation("Enable AUTH PLAIN or LOGIN on the server, or send through a relay that needs no login.")}
	}
	err := conn.Auth(auth)
	if err == nil {
		return nil
	}
	if errors.Is(err, smtp.ErrUnencrypted) {
		return &failure{path: []string{"smtp", "tls"},
			err: sdk.Errorf(sdk.ErrorInvalidConfig, "refusing to send the SMTP password over a connection without TLS").
				WithRemediation(`Set smtp.tls to "starttls" or "tls".`)}
	}
	var reply *textproto.Error
	if errors.As(err, &reply) {
		if reply.Code >= 500 {
			return &failure{path: []string{"smtp", "password"},
				err: sdk.Errorf(sdk.ErrorAuth, "the SMTP server refused the login: %d %s", reply.Code, reply.Msg).
					WithStatus(reply.Code).
					WithRemediation("Check smtp.username and smtp.password, and that the account may send mail through this server.")}
		}
		return &failure{path: []string{"smtp", "host"},
			err: sdk.Errorf(sdk.ErrorUnavailable, "the SMTP server could not log in now: %d %s", reply.Code, reply.Msg).
				WithStatus(reply.Code).WithRemediation("The server reported a temporary problem; the job is retried.")}
	}
	return &failure{path: []string{"smtp", "host"},
		err: sdk.Errorf(sdk.ErrorUnavailable, "log in to the SMTP server at %s: %v", s.address(), err)}
}

// connectFailure classifies a failure to connect, greet or negotiate TLS.
func connectFailure(s smtpConfig, err error) *failure {
	var (
		verify   *tls.CertificateVerificationError
		hostname x509.HostnameError
		record   tls.RecordHeaderError
		reply    *textproto.Error
	)
	switch {
	case errors.As(err, &hostname):
		return &failure{path: []string{"smtp", "host"},
			err: sdk.Errorf(sdk.ErrorInvalidConfig, "the SMTP server's TLS certificate is not valid for %s", s.host).
				WithRemediation("Set smtp.host to a name the server's certificate carries.")}
	case errors.As(err, &verify):
		return &failure{path: []string{"smtp", "ca_file"},
			err: sdk.Errorf(sdk.ErrorInvalidConfig, "the SMTP server's TLS certificate is not trusted: %v", verify.Err).
				WithRemediation("Set smtp.ca_file to the certificate authority that signed the server's certificate, or give the server a publicly trusted certificate.")}
	case errors.As(err, &record):
		return &failure{path: []string{"smtp", "tls"},
			err: sdk.Errorf(sdk.ErrorInvalidConfig, "the SMTP server at %s did not answer with TLS", s.address()).
				WithRemediation(`Use tls = "starttls" for submission ports such as 587 and 25; "tls" is for implicit TLS, usually port 465.`)}
	case errors.As(err, &reply):
		return &failure{path: []string{"smtp", "host"},
			err: sdk.Errorf(sdk.ErrorUnavailable, "the SMTP server at %s refused the session: %d %s", s.address(), reply.Code, reply.Msg).
				WithStatus(reply.Code).WithRemediation("Check that this server accepts mail from dsrhost's address.")}
	}
	return &failure{path: []string{"smtp", "host"},
		err: sdk.Errorf(sdk.ErrorUnavailable, "connect to the SMTP server at %s: %v", s.address(), err).
			WithRemediation("Check smtp.host and smtp.port, and that the server is reachable from dsrhost.")}
}

// checkEnvelope asks the server whether it would accept mail from the sender
// to every recipient, then resets: it checks the account's permissions
// without sending anything.
func (ss *smtpSession) checkEnvelope(from string, rcpts map[string][]string) []*failure {
	var fails []*failure
	sender, err := mail.ParseAddress(from)
	if err != nil {
		return nil // reported by decodeSettings
	}
	if err := ss.conn.Mail(sender.Address); err != nil {
		return []*failure{envelopeFailure([]string{"from"}, "the sender", err)}
	}
	for _, attr := range []string{"to", "cc"} {
		for i, r := range rcpts[attr] {
			addr, err := mail.ParseAddress(r)
			if err != nil {
				continue
			}
			if err := ss.conn.Rcpt(addr.Address); err != nil {
				fails = append(fails, envelopeFailure([]string{attr}, fmt.Sprintf("%s[%d]", attr, i), err))
			}
		}
	}
	_ = ss.conn.Reset()
	return fails
}

// envelopeFailure classifies a refused MAIL FROM or RCPT TO. A temporary
// refusal (greylisting) is only a warning.
func envelopeFailure(path []string, what string, err error) *failure {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		if reply.Code < 500 {
			return &failure{path: path, warn: true,
				err: sdk.Errorf(sdk.ErrorUnavailable, "the SMTP server deferred %s: %d %s", what, reply.Code, reply.Msg).WithStatus(reply.Code)}
		}
		return &failure{path: path,
			err: sdk.Errorf(sdk.ErrorPermission, "the SMTP server refused %s: %d %s", what, reply.Code, reply.Msg).
				WithStatus(reply.Code).
				WithRemediation("Check the address, and that the SMTP account may send from the sender address and relay to the recipients.")}
	}
	return &failure{path: []string{"smtp", "host"},
		err: sdk.Errorf(sdk.ErrorUnavailable, "check %s with the SMTP server: %v", what, err)}
}

// send delivers one message and classifies a refusal.
func (ss *smtpSession) send(msg *gomail.Msg) *failure {
	err := ss.client.SendWithSMTPClient(ss.conn, msg)
	if err == nil {
		return nil
	}
	var sendErr *gomail.SendError
	if !errors.As(err, &sendErr) {
		return &failure{path: []string{"smtp", "host"}, err: sdk.Errorf(sdk.ErrorUnavailable, "send email: %v", err)}
	}
	// SendError's own text lists the recipients; build ours from its parts.
	code := sendErr.ErrorCode()
	status := sendErr.Reason.String()
	if code != 0 {
		status = strings.TrimSpace(fmt.Sprintf("%s (SMTP %d %s)", status, code, sendErr.EnhancedStatusCode()))
	}
	switch {
	case sendErr.IsTemp():
		return &failure{path: []string{"smtp", "host"},
			err: sdk.Errorf(sdk.ErrorUnavailable, "the SMTP server deferred the email: %s", status).WithStatus(code)}
	case sendErr.Reason == gomail.ErrSMTPMailFrom:
		return &failure{path: []string{"from"},
			err: sdk.Errorf(sdk.ErrorPermission, "the SMTP server refused the sender: %s", status).WithStatus(code).
				WithRemediation("Set from to an address the SMTP account may send from.")}
	case sendErr.Reason == gomail.ErrSMTPRcptTo:
		return &failure{path: []string{"to"},
			err: sdk.Errorf(sdk.ErrorPermission, "the SMTP server refused a recipient: %s", status).WithStatus(code).
				WithRemediation("Check the addresses in to and cc, and that the SMTP account may relay to them.")}
	case code >= 500:
		return &failure{path: []string{"smtp", "host"},
			err: sdk.Errorf(sdk.ErrorPermission, "the SMTP server refused the email: %s", status).WithStatus(code).
				WithRemediation("Check the server's limits and policies for this account.")}
	}
	return &failure{path: []string{"smtp", "host"},
		err: sdk.Errorf(sdk.ErrorUnavailable, "send email: %s", status).WithStatus(code)}
}

// close says QUIT, ignoring errors: the work is done or already failed.
func (ss *smtpSession) close() { _ = ss.client.CloseWithSMTPClient(ss.conn) }

// abort drops the connection after a failure.
func (ss *smtpSession) abort() { _ = ss.conn.Close() }

// address is host:port for messages.
func (s smtpConfig) address() string { return fmt.Sprintf("%s:%d", s.host, s.port) }
