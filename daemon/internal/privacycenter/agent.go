package privacycenter

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/sdk"
)

// maxPermission bounds the signed permission an authorized agent uploads.
const maxPermission = 2 << 20

// EventAgent records, on a request filed by an authorized agent, who the
// agent is and the permission they uploaded (sealed).
const EventAgent = "privacy_center.agent"

// agentInfo is an authorized agent and the permission the subject signed.
type agentInfo struct {
	Name           string `json:"name"`
	Email          string `json:"email"`
	PermissionName string `json:"permission_name"`
	PermissionType string `json:"permission_type"`
	Permission     []byte `json:"permission"`
}

// agentView is the agent's part of the agent form.
type agentView struct {
	Name  string
	Email string
}

func (c *Center) showAgentForm(w http.ResponseWriter, r *http.Request) {
	t := c.offered(r)
	if t == nil {
		c.message(w, r, http.StatusNotFound, msgOff)
		return
	}
	c.renderAgentForm(w, r, http.StatusOK, newFormView(t, nil), &agentView{}, nil)
}

func (c *Center) renderAgentForm(w http.ResponseWriter, r *http.Request, status int, f *formView, a *agentView, e *inputError) {
	c.render(w, status, "agent", page{Title: f.Type.Title + " for someone else", Form: f, Agent: a, Error: e, CSRF: c.csrfToken(w, r)})
}

// readAgentForm reads the multipart form (the permission kept in memory
// only, under its limit) and checks the agent's fields.
func readAgentForm(r *http.Request, t *config.PrivacyRequestType) (*formView, *agentView, *agentInfo, *inputError) {
	if err := r.ParseMultipartForm(maxAgentBody); err != nil {
		return newFormView(t, nil), &agentView{}, nil, &inputError{"permission", "The form could not be read; the permission may be larger than 2 MB. Send it again."}
	}
	f := newFormView(t, r)
	a := &agentView{Name: strings.TrimSpace(r.PostFormValue("agent_name")), Email: strings.TrimSpace(r.PostFormValue("agent_email"))}
	if e := f.check(); e != nil {
		if e.Field == "email" {
			e.Message = "Enter the email address of the person you act for, in the form name@example.com."
		}
		return f, a, nil, e
	}
	addr, err := mail.ParseAddress(a.Email)
	switch {
	case a.Name == "" || utf8.RuneCountInString(a.Name) > 200:
		return f, a, nil, &inputError{"agent_name", "Enter your name (at most 200 characters)."}
	case err != nil || addr.Address != a.Email:
		return f, a, nil, &inputError{"agent_email", "Enter your email address in the form name@example.com."}
	case strings.EqualFold(a.Email, f.Email):
		return f, a, nil, &inputError{"agent_email", "This is the person's own address: they can use the ordinary form."}
	}
	file, hdr, err := r.FormFile("permission")
	if err != nil {
		return f, a, nil, &inputError{"permission", "Attach the permission the person signed for you (PDF or image, at most 2 MB)."}
	}
	defer file.Close()
	content, err := io.ReadAll(io.LimitReader(file, maxPermission+1))
	if err != nil || len(content) == 0 || len(content) > maxPermission {
		return f, a, nil, &inputError{"permission", "The permission must be a file of at most 2 MB."}
	}
	info := &agentInfo{Name: a.Name, Email: a.Email, PermissionName: hdr.Filename,
		PermissionType: hdr.Header.Get("Content-Type"), Permission: content}
	return f, a, info, nil
}

// submitAgent takes a request an authorized agent files; the subject is
// asked by email to confirm it before it is created.
func (c *Center) submitAgent(w http.ResponseWriter, r *http.Request) {
	t := c.offered(r)
	if t == nil {
		c.message(w, r, http.StatusNotFound, msgOff)
		return
	}
	f, a, info, e := readAgentForm(r, t)
	if e != nil {
		c.renderAgentForm(w, r, http.StatusBadRequest, f, a, e)
		return
	}
	if !c.allowSubmission(w, r, f.Email, a.Email) {
		return
	}
	sub := &submission{Type: sdk.RequestType(t.Name), Subject: f.subject(), Details: f.Details, ReceivedAt: c.now().UTC(), Agent: info}
	if _, ok := c.hold(w, r, sub); !ok {
		return
	}
	if err := c.sendAgentReceipt(r.Context(), sub); err != nil {
		c.log.Warn("privacy center: the agent's receipt was not sent", "error", err)
	}
	c.metrics.Submitted(t.Name)
	c.render(w, http.StatusOK, "message", page{Title: "We asked the person to confirm",
		Text: "We emailed the person you act for. Their request starts once they confirm it; we will write to them, not to you, about it."})
}

// sendAgentReceipt tells the agent the subject was asked to confirm.
func (c *Center) sendAgentReceipt(ctx context.Context, s *submission) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\nwe received the request you filed on someone's behalf (%s). We have asked them by email to confirm it; it starts once they do.\n\n",
		s.Agent.Name, strings.ToLower(describeType(s.Type).Title))
	c.signature(&b)
	return c.mailer.SendTo(ctx, s.Agent.Email, "Your request on someone's behalf", b.String())
}

// recordAgent puts the agent and their permission (sealed) in the new
// request's history, for the operator reviewing it.
func (c *Center) recordAgent(ctx context.Context, id string, a *agentInfo) error {
	return c.engine.Note(ctx, id, engine.Event{
		Kind: EventAgent, Actor: engine.ActorPrivacyCenter, Message: "Filed by an authorized agent; the subject confirmed",
		Attributes: map[string]string{"permission_bytes": fmt.Sprint(len(a.Permission))},
		Sealed: map[string]string{"agent_name": a.Name, "agent_email": a.Email, "permission_name": a.PermissionName,
			"permission_type": a.PermissionType, "permission_base64": base64.StdEncoding.EncodeToString(a.Permission)},
	})
}
