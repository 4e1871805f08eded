// Package mailsink is a development SMTP server: it accepts every message on
// loopback and reports each one (recipients, subject and the links in its
// body) instead of delivering it. `dsrhost server -dev` points the Direct
// Contact integration at it and logs each email, so a newcomer can open the
// processor's response link without a mail server.
package mailsink

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"

	"github.com/emersion/go-smtp"
)

// maxMessageBytes bounds one message; demo emails are small.
const maxMessageBytes = 10 << 20

// Email is one received message, reduced to what a developer looks at.
type Email struct {
	To      []string
	Subject string
	Links   []string
	Body    string
}

// Link returns the email's first link containing part, as a reader
// picks the one link of an email that matters.
func (e Email) Link(part string) (string, bool) {
	for _, l := range e.Links {
		if strings.Contains(l, part) {
			return l, true
		}
	}
	return "", false
}

// Sink is a running mail sink.
type Sink struct {
	// Addr is host:port it listens on.
	Addr string

	server *smtp.Server
	onMail func(Email)

	mu     sync.Mutex
	emails []Email
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and calls onMail,
// if not nil, for each message received.
func Start(addr string, onMail func(Email)) (*Sink, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mail sink: listen on %s: %w", addr, err)
	}
	s := &Sink{Addr: l.Addr().String(), onMail: onMail}
	s.server = smtp.NewServer(backend{s})
	s.server.Domain = "localhost"
	s.server.MaxMessageBytes = maxMessageBytes
	s.server.AllowInsecureAuth = true
	go func() { _ = s.server.Serve(l) }()
	return s, nil
}

// Emails returns the messages received so far.
func (s *Sink) Emails() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Email(nil), s.emails...)
}

// Close stops the server.
func (s *Sink) Close() error { return s.server.Close() }

func (s *Sink) received(e Email) {
	s.mu.Lock()
	s.emails = append(s.emails, e)
	s.mu.Unlock()
	if s.onMail != nil {
		s.onMail(e)
	}
}

type backend struct{ s *Sink }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{sink: b.s}, nil }

type session struct {
	sink *Sink
	to   []string
}

func (s *session) AuthMechanisms() []string             { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *session) Reset()        { s.to = nil }
func (s *session) Logout() error { return nil }

func (s *session) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return fmt.Errorf("mail sink: read message: %w", err)
	}
	body, err := decodeBody(msg)
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		subject = msg.Header.Get("Subject")
	}
	s.sink.received(Email{
		To:      append([]string(nil), s.to...),
		Subject: subject,
		Links:   links(body),
		Body:    body,
	})
	return nil
}

// decodeBody returns a single-part text body, undoing quoted-printable.
func decodeBody(msg *mail.Message) (string, error) {
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxMessageBytes))
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("mail sink: read body: %w", err)
	}
	return string(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))), nil
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

func links(body string) []string { return linkPattern.FindAllString(body, -1) }
