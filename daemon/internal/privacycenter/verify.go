package privacycenter

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// Source is the request source of what the privacy center files.
const Source = "privacy_center"

// verifyView is a submission awaiting its link or code.
type verifyView struct {
	ID string
	// Code: the subject types a code (else they open a link).
	Code bool
	// Secret is the link's secret, posted back by the confirm button.
	Secret string
}

func (c *Center) showVerify(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s, ok := c.lookup(w, r, id)
	if !ok {
		return
	}
	v := &verifyView{ID: id, Code: c.cfg.Verification.Method == config.VerifyCode && s.Agent == nil}
	if secret := r.URL.Query().Get("code"); secret != "" && !v.Code {
		// A link opened: confirm with a button, so a mail scanner
		// fetching the link confirms nothing.
		v.Secret = secret
		c.render(w, http.StatusOK, "confirm", page{Title: "Confirm your request", Verify: v, CSRF: c.csrfToken(w, r)})
		return
	}
	c.render(w, http.StatusOK, "sent", page{Title: "Check your email", Verify: v, TTL: ttlWords(c.pending.ttl), CSRF: c.csrfToken(w, r)})
}

// lookup reads a submission, answering the refusal itself when there is
// none to verify.
func (c *Center) lookup(w http.ResponseWriter, r *http.Request, id string) (*submission, bool) {
	s, _, err := c.pending.get(r.Context(), id)
	switch {
	case errors.Is(err, errVerified):
		c.metrics.Verified(OutcomeReused)
		c.message(w, r, http.StatusGone, msgUsed)
	case errors.Is(err, errGone):
		c.metrics.Verified(OutcomeExpired)
		c.message(w, r, http.StatusGone, msgExpired)
	case err != nil:
		c.fail(w, r, "read a submission", err)
	default:
		return s, true
	}
	return nil, false
}

func (c *Center) verify(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ok, retry, err := c.limits.allow(ctx, limitVerifyIP, clientIP(r), c.cfg.Limits.VerificationsPerIP)
	if err != nil {
		c.fail(w, r, "count a verification", err)
		return
	}
	if !ok {
		c.metrics.Verified(OutcomeLimited)
		c.limited(w, r, retry)
		return
	}
	id := r.PathValue("id")
	s, found := c.lookup(w, r, id)
	if !found {
		return
	}
	n, err := c.pending.try(ctx, id)
	if err != nil {
		c.fail(w, r, "count a verification", err)
		return
	}
	if n > c.cfg.Verification.MaxAttempts {
		_ = c.pending.burn(ctx, id)
		c.metrics.Verified(OutcomeLocked)
		c.message(w, r, http.StatusTooManyRequests, msgLocked)
		return
	}
	if !s.matches(id, r.PostFormValue("code")) {
		c.wrongSecret(w, r, id, s.Agent == nil, c.cfg.Verification.MaxAttempts-n)
		return
	}
	if err := c.pending.claim(ctx, id); err != nil {
		if errors.Is(err, errBusy) {
			c.message(w, r, http.StatusConflict, msgBusy)
			return
		}
		c.fail(w, r, "claim a submission", err)
		return
	}
	req, err := c.file(ctx, s)
	if err != nil {
		c.pending.release(ctx, id)
		c.fail(w, r, "create a verified request", err)
		return
	}
	if err := c.pending.verified(ctx, id, req.ID); err != nil {
		c.log.Warn("privacy center: the submission stays until its TTL", "request", req.ID, "error", err)
	}
	c.metrics.Verified(OutcomeVerified)
	if err := c.sendConfirmation(ctx, req); err != nil {
		c.log.Warn("privacy center: confirmation email not sent", "request", req.ID, "error", err)
	}
	c.render(w, http.StatusOK, "done", page{Title: "Request confirmed", Status: c.statusView(req, nil)})
}

// wrongSecret answers a wrong code (the form again, with the tries left)
// or an altered link.
func (c *Center) wrongSecret(w http.ResponseWriter, r *http.Request, id string, typed bool, left int) {
	c.metrics.Verified(OutcomeWrong)
	if c.cfg.Verification.Method != config.VerifyCode || !typed {
		c.message(w, r, http.StatusForbidden, msgForged)
		return
	}
	msg := "That code is not right. Check the email and try again; " + strconv.Itoa(left) + " tries left."
	if left <= 0 {
		msg = "That code is not right. This was the last try."
	}
	c.render(w, http.StatusBadRequest, "sent", page{
		Title: "Check your email", Verify: &verifyView{ID: id, Code: true}, TTL: ttlWords(c.pending.ttl),
		CSRF: c.csrfToken(w, r), Error: &inputError{Field: "code", Message: msg},
	})
}

// file creates the verified request in Review, through the call the admin
// API's CreateRequest makes. A second open request of the same type from
// the same address is linked to the first for the operator.
func (c *Center) file(ctx context.Context, s *submission) (*engine.Request, error) {
	// The verification email, sent on receipt, acknowledged the request.
	in := engine.CreateInput{Type: s.Type, Subject: s.Subject, Details: s.Details, Source: Source, Actor: engine.ActorPrivacyCenter,
		ReceivedAt: s.ReceivedAt, VerifiedAt: c.now(), AcknowledgedAt: s.ReceivedAt}
	open, _, err := c.engine.List(ctx, engine.Filter{Email: s.Subject.Email, Type: s.Type}, "", 50)
	if err != nil {
		return nil, err
	}
	var notes []string
	if s.Agent != nil {
		notes = append(notes, "Filed by authorized agent "+s.Agent.Name+"; the subject confirmed by email")
	}
	for _, o := range open {
		if o.Stage != state.StageClosed {
			notes = append(notes, "Possible duplicate of request "+o.ID+" (same verified email and request type, still open)")
			break
		}
	}
	in.SourceDetail = strings.Join(notes, ". ")
	req, err := c.engine.Create(ctx, in)
	if err != nil || s.Agent == nil {
		return req, err
	}
	if err := c.recordAgent(ctx, req.ID, s.Agent); err != nil {
		// The request stands; the operator sees the agent's name in its
		// source detail and can ask for the permission again.
		c.log.Error("privacy center: the agent's permission was not recorded", "request", req.ID, "error", err)
	}
	return req, nil
}
