package privacycenter

import (
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/sdk"
)

// Limits of the form's fields, in characters.
const (
	maxDetailsChars    = 2000
	maxIdentifierChars = 200
	maxEmailChars      = 254
)

// formView is the request form, with what the subject entered when it
// comes back with an error.
type formView struct {
	Type    typeView
	Email   string
	Details string
	Fields  []fieldView
}

type fieldView struct {
	Name  string
	Label string
	Value string
}

func (c *Center) home(w http.ResponseWriter, r *http.Request) {
	p := page{Title: "Your privacy requests"}
	for _, t := range c.cfg.RequestTypes {
		p.Types = append(p.Types, describeType(sdk.RequestType(t.Name)))
	}
	c.render(w, http.StatusOK, "home", p)
}

func (c *Center) offered(r *http.Request) *config.PrivacyRequestType {
	return c.cfg.Offers(r.PathValue("type"))
}

func (c *Center) showForm(w http.ResponseWriter, r *http.Request) {
	t := c.offered(r)
	if t == nil {
		c.message(w, r, http.StatusNotFound, msgOff)
		return
	}
	c.renderForm(w, r, http.StatusOK, newFormView(t, nil), nil)
}

func newFormView(t *config.PrivacyRequestType, r *http.Request) *formView {
	f := &formView{Type: describeType(sdk.RequestType(t.Name))}
	if r != nil {
		f.Email = strings.TrimSpace(r.PostFormValue("email"))
		f.Details = strings.ReplaceAll(r.PostFormValue("details"), "\r\n", "\n")
	}
	for _, id := range t.Identifiers {
		fv := fieldView{Name: id, Label: identifierLabel(id)}
		if r != nil {
			fv.Value = strings.TrimSpace(r.PostFormValue("id_" + id))
		}
		f.Fields = append(f.Fields, fv)
	}
	return f
}

func (c *Center) renderForm(w http.ResponseWriter, r *http.Request, status int, f *formView, e *inputError) {
	c.render(w, status, "form", page{Title: f.Type.Title, Form: f, Error: e, CSRF: c.csrfToken(w, r)})
}

// check validates the form, naming the first field to fix.
func (f *formView) check() *inputError {
	addr, err := mail.ParseAddress(f.Email)
	switch {
	case f.Email == "":
		return &inputError{"email", "Enter your email address."}
	case err != nil || addr.Address != f.Email || utf8.RuneCountInString(f.Email) > maxEmailChars || strings.ContainsAny(f.Email, "<> "):
		return &inputError{"email", "Enter your email address in the form name@example.com."}
	case utf8.RuneCountInString(f.Details) > maxDetailsChars:
		return &inputError{"details", "The details can be at most 2000 characters long."}
	}
	for _, fv := range f.Fields {
		if utf8.RuneCountInString(fv.Value) > maxIdentifierChars {
			return &inputError{fv.Name, fv.Label + " can be at most 200 characters long."}
		}
	}
	return nil
}

// subject is who the form is about, identifiers placed where the engine
// expects them.
func (f *formView) subject() sdk.Subject {
	s := sdk.Subject{Email: f.Email}
	for _, fv := range f.Fields {
		switch {
		case fv.Value == "":
		case fv.Name == "phone":
			s.Phone = fv.Value
		case fv.Name == "user_id":
			s.UserID = fv.Value
		default:
			if s.Identifiers == nil {
				s.Identifiers = map[string]string{}
			}
			s.Identifiers[fv.Name] = fv.Value
		}
	}
	return s
}

func (c *Center) submit(w http.ResponseWriter, r *http.Request) {
	t := c.offered(r)
	if t == nil {
		c.message(w, r, http.StatusNotFound, msgOff)
		return
	}
	f := newFormView(t, r)
	if e := f.check(); e != nil {
		c.renderForm(w, r, http.StatusBadRequest, f, e)
		return
	}
	if !c.allowSubmission(w, r, f.Email) {
		return
	}
	sub := &submission{Type: sdk.RequestType(t.Name), Subject: f.subject(), Details: f.Details, ReceivedAt: c.now().UTC()}
	id, ok := c.hold(w, r, sub)
	if !ok {
		return
	}
	c.metrics.Submitted(t.Name)
	http.Redirect(w, r, Path+"verify/"+id, http.StatusSeeOther)
}

// hold stores a submission sealed until it is verified and mails the
// subject its link or code, answering the failure page itself when either
// fails. The subject of an agent's request, who never saw the form, always
// gets a link.
func (c *Center) hold(w http.ResponseWriter, r *http.Request, sub *submission) (string, bool) {
	ctx := r.Context()
	secret := newLinkSecret()
	if c.cfg.Verification.Method == config.VerifyCode && sub.Agent == nil {
		secret = newCode()
	}
	id, err := c.pending.put(ctx, sub, secret)
	if err != nil {
		c.fail(w, r, "store a submission", err)
		return "", false
	}
	if err := c.sendVerification(ctx, sub.Subject.Email, id, secret, sub); err != nil {
		// Nothing the subject typed is kept for a message never sent.
		_ = c.pending.burn(ctx, id)
		c.fail(w, r, "send the verification email", err)
		return "", false
	}
	return id, true
}

// allowSubmission counts a submission against the limits per IP address
// and per email address, answering 429 (or the failure page) itself when
// it is not allowed.
func (c *Center) allowSubmission(w http.ResponseWriter, r *http.Request, emails ...string) bool {
	type count struct {
		kind, who string
		limit     int
	}
	counts := []count{{limitSubmitIP, clientIP(r), c.cfg.Limits.SubmissionsPerIP}}
	for _, e := range emails {
		counts = append(counts, count{limitSubmitEmail, strings.ToLower(e), c.cfg.Limits.SubmissionsPerEmail})
	}
	for _, l := range counts {
		ok, retry, err := c.limits.allow(r.Context(), l.kind, l.who, l.limit)
		if err != nil {
			c.fail(w, r, "count a submission", err)
			return false
		}
		if !ok {
			c.limited(w, r, retry)
			return false
		}
	}
	return true
}

// fail logs what went wrong (never personal data) and shows the failure
// page.
func (c *Center) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	c.log.Error("privacy center: "+what, "error", err)
	c.message(w, r, http.StatusServiceUnavailable, msgFailed)
}
