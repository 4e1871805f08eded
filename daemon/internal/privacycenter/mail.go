package privacycenter

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
)

// sendVerification mails the link or code that proves the address is the
// subject's. It is also the acknowledgement that the request arrived.
func (c *Center) sendVerification(ctx context.Context, to, id, secret string, s *submission) error {
	tv := describeType(s.Type)
	var b strings.Builder
	if a := s.Agent; a != nil {
		fmt.Fprintf(&b, "Hello,\n\n%s (%s) says you asked them to act for you, and filed this request to %s on your behalf: %s.\n\n",
			a.Name, a.Email, c.cfg.Organisation, strings.ToLower(tv.Title))
		b.WriteString("Confirm it only if you gave them permission. We will answer you, not them.\n\n")
	} else {
		fmt.Fprintf(&b, "Hello,\n\nwe received a request to %s: %s.\n\n", c.cfg.Organisation, strings.ToLower(tv.Title))
	}
	// The subject of an agent's request never saw the form, so is sent a
	// link whatever the method.
	if c.cfg.Verification.Method == config.VerifyCode && s.Agent == nil {
		fmt.Fprintf(&b, "To confirm it is yours, enter this code on the page where you sent it:\n\n    %s\n\n", secret)
	} else {
		fmt.Fprintf(&b, "To confirm it is yours, open this link:\n\n%s\n\n", c.url(Path+"verify/"+id+"?code="+url.QueryEscape(secret)))
	}
	fmt.Fprintf(&b, "This is valid for %s. If you did not send this request, ignore this message: nothing happens and we delete what was sent.\n\n", ttlWords(c.pending.ttl))
	c.signature(&b)
	return c.mailer.SendTo(ctx, to, "Confirm your privacy request", b.String())
}

// sendConfirmation tells the subject the request is in, with its
// reference and the status link.
func (c *Center) sendConfirmation(ctx context.Context, req *engine.Request) error {
	status, err := c.StatusURL(req.ID)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hello,\n\nthank you for confirming your request (%s).\n\nYour reference: %s\nWe answer by:   %s\n\n",
		strings.ToLower(describeType(req.Type).Title), req.ID, day(req.DueAt))
	fmt.Fprintf(&b, "Follow your request here:\n%s\n\n", status)
	c.signature(&b)
	return c.mailer.SendTo(ctx, req.Subject.Email, "Your privacy request "+req.ID, b.String())
}

func (c *Center) signature(b *strings.Builder) {
	fmt.Fprintf(b, "Kind regards,\n%s\n", c.cfg.Organisation)
	if c.cfg.Contact != "" {
		fmt.Fprintf(b, "%s\n", c.cfg.Contact)
	}
}

// StatusURL is the signed link to request id's status page.
func (c *Center) StatusURL(id string) (string, error) {
	tok, err := c.tokens.Make(Claims{Kind: kindStatus, RequestID: id, ExpiresAt: c.now().Add(statusLinkTTL).UTC()})
	if err != nil {
		return "", err
	}
	return c.url(Path + "status/" + tok), nil
}
