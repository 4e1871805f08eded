package connector

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/dsrhost/dsrhost/sdk"
)

// Access emails the processor the access request and waits for their answer,
// which reaches the daemon through the response link, not this connector.
func (c *Connector) Access(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	p, err := c.start(ctx, kindAccess, &req.Job)
	if err != nil {
		return nil, err
	}
	return &sdk.AccessResponse{Pending: p}, nil
}

// Delete emails the processor the deletion request and waits for their
// answer, which reaches the daemon through the response link.
func (c *Connector) Delete(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	p, err := c.start(ctx, kindDeletion, &req.Job)
	if err != nil {
		return nil, err
	}
	return &sdk.DeleteResponse{Pending: p}, nil
}

// start sends the first email of a job once per idempotency key: a job
// delivered again gets the first delivery's handle and sends nothing.
func (c *Connector) start(ctx context.Context, kind string, job *sdk.Job) (*sdk.Pending, error) {
	cfg, err := c.configFor(job.Integration)
	if err != nil {
		return nil, err
	}
	key := job.IdempotencyKey
	if key == "" {
		if job.RequestID == "" {
			return nil, sdk.Errorf(sdk.ErrorInternal, "the job has neither an idempotency key nor a request id")
		}
		key = "request:" + job.RequestID + ":" + kind
	}
	id := jobID(job.Integration, kind, key)
	now := c.now()
	due := job.RespondBy
	if due.IsZero() {
		due = now.Add(cfg.dueIn)
	}
	value, fresh, err := c.sent.do(ctx, id, func() (string, error) {
		h := handle{ID: id, Kind: kind, Sent: now.Unix(), Due: due.Unix()}
		if err := c.deliver(ctx, cfg, job, h, false, due, now); err != nil {
			return "", err
		}
		return h.encode(), nil
	})
	if err != nil {
		c.log.Warn("direct contact email not sent", "integration", job.Integration, "request_id", job.RequestID,
			"kind", kind, "error_type", sdk.AsError(err).Type)
		return nil, err
	}
	h, err := decodeHandle(value)
	if err != nil {
		return nil, sdk.Errorf(sdk.ErrorInternal, "%v", err)
	}
	if job.RespondBy.IsZero() {
		due = fromUnix(h.Due) // the first delivery's, on a redelivery
	}
	if !fresh {
		c.log.Debug("job delivered again; email already sent", "integration", job.Integration, "request_id", job.RequestID, "kind", kind)
	}
	// A redelivered job gets the first delivery's answer, PollAfter
	// included, so it is counted from when the email was sent.
	return &sdk.Pending{Handle: value, PollAfter: pollAfter(cfg, h, due, fromUnix(h.Sent))}, nil
}

// jobID names a job without revealing its key: a hash of the integration,
// the kind and the idempotency key, short enough for a Message-ID. The kind
// is part of it so an access and a deletion job can never share a handle.
func jobID(integration, kind, key string) string {
	sum := sha256.Sum256([]byte(integration + "\x00" + kind + "\x00" + key))
	return hex.EncodeToString(sum[:12])
}

// deliver renders and sends one email of the job h describes: the first one,
// or a reminder.
func (c *Connector) deliver(ctx context.Context, cfg *config, job *sdk.Job, h handle, reminder bool, due, now time.Time) error {
	data := newTemplateData(h.Kind, job, due, now)
	data.Reminder = reminder
	subject, body, err := cfg.tmpl.render(h.Kind, data)
	if err != nil {
		return sdk.Errorf(sdk.ErrorInvalidConfig, "%v", err).
			WithRemediation("Fix the integration's subject_template or body_template.")
	}
	msg, err := buildMessage(cfg, h, reminder, subject, body, now)
	if err != nil {
		return sdk.Errorf(sdk.ErrorInvalidConfig, "%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	sess, f := openSMTP(ctx, cfg.smtp, c.timeout)
	if f != nil {
		return f.err
	}
	defer sess.close()
	if f := sess.send(msg); f != nil {
		return f.err
	}
	// Never the subject's identifiers, the link or the addresses here.
	c.log.Info("direct contact email sent", "integration", job.Integration, "request_id", job.RequestID,
		"kind", h.Kind, "reminder", reminder, "recipients", len(cfg.to)+len(cfg.cc), "due", due.UTC().Format(time.RFC3339))
	return nil
}

// newTemplateData gathers what the templates may use: the request's type and
// reference, the due date, the link, and the subject's identifiers.
func newTemplateData(kind string, job *sdk.Job, due, now time.Time) *templateData {
	requestType := string(job.RequestType)
	if requestType == "" {
		requestType = kind
	}
	return &templateData{
		RequestID:   job.RequestID,
		RequestType: requestType,
		Integration: job.Integration,
		DueDate:     formatDue(due),
		Due:         due.UTC(),
		DaysLeft:    daysLeft(now, due),
		ResponseURL: job.ResponseURL,
		Answers:     answerTexts(kind),
		Subject: templateSubject{
			Email:       job.Subject.Email,
			Phone:       job.Subject.Phone,
			UserID:      job.Subject.UserID,
			Identifiers: job.Subject.Identifiers,
		},
	}
}

// buildMessage composes the email. Message-IDs derive from the job, so
// reminders thread under the first email in the processor's mailbox.
func buildMessage(cfg *config, h handle, reminder bool, subject, body string, now time.Time) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(cfg.from); err != nil {
		return nil, fmt.Errorf("set from: %w", err)
	}
	if err := msg.To(cfg.to...); err != nil {
		return nil, fmt.Errorf("set to: %w", err)
	}
	if len(cfg.cc) > 0 {
		if err := msg.Cc(cfg.cc...); err != nil {
			return nil, fmt.Errorf("set cc: %w", err)
		}
	}
	msg.Subject(subject)
	msg.SetBodyString(gomail.TypeTextPlain, body)
	msg.SetDateWithValue(now)
	msg.SetUserAgent("dsrhost-plugin-directcontact/" + Version)
	// RFC 3834: out-of-office responders should not answer a machine.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	domain := senderDomain(cfg.from)
	first := fmt.Sprintf("dsrhost.%s@%s", h.ID, domain)
	if !reminder {
		msg.SetMessageIDWithValue(first)
		return msg, nil
	}
	msg.SetMessageIDWithValue(fmt.Sprintf("dsrhost.%s.r%d@%s", h.ID, h.Reminders, domain))
	msg.SetGenHeader(gomail.HeaderInReplyTo, "<"+first+">")
	msg.SetGenHeader(gomail.HeaderReferences, "<"+first+">")
	return msg, nil
}

// senderDomain is the domain of the from address, for Message-IDs.
func senderDomain(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		if _, domain, ok := strings.Cut(a.Address, "@"); ok && domain != "" {
			return domain
		}
	}
	return "dsrhost.invalid"
}
