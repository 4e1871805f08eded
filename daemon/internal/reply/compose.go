package reply

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/sdk"
)

// defaults are the templates used for request types the configuration
// gives none: plain, accurate, and free of anything the subject did not
// give us.
var defaults = map[string]config.ReplyTemplate{
	string(sdk.RequestAccess): {
		Subject: "Your data access request",
		Body:    "Hello,\n\nwe have completed your request for a copy of your personal data (reference {{ .ID }}), received on {{ .Created }}.\n{{ with .DownloadURL }}\nDownload your data here: {{ . }}\nThe link works until {{ $.DownloadUntil }}.\n{{ end }}\nKind regards,\nThe privacy team\n",
	},
	string(sdk.RequestDeletion): {
		Subject: "Your data deletion request",
		Body:    "Hello,\n\nwe have deleted the personal data we held about you (reference {{ .ID }}), as you asked on {{ .Created }}.\n\nKind regards,\nThe privacy team\n",
	},
	string(sdk.RequestDoNotSell): {
		Subject: "Your do-not-sell request",
		Body:    "Hello,\n\nwe no longer sell or share your personal data (reference {{ .ID }}).\n\nKind regards,\nThe privacy team\n",
	},
	string(sdk.RequestDoNotMail): {
		Subject: "Your do-not-mail request",
		Body:    "Hello,\n\nwe have removed you from our mailings (reference {{ .ID }}).\n\nKind regards,\nThe privacy team\n",
	},
	string(sdk.RequestRightToEdit): {
		Subject: "Your request to correct your data",
		Body:    "Hello,\n\nwe have corrected your personal data as you asked (reference {{ .ID }}).\n\nKind regards,\nThe privacy team\n",
	},
	config.RejectedTemplate: {
		Subject: "Your privacy request",
		Body:    "Hello,\n\nwe could not carry out your request (reference {{ .ID }}), received on {{ .Created }}.\n\nKind regards,\nThe privacy team\n",
	},
}

// data is what a template sees of a request.
type data struct {
	ID      string
	Type    string
	Email   string
	Created string
	Due     string
	// StatusURL, DownloadURL and DownloadUntil are the privacy center's
	// links for a request filed there; empty otherwise.
	StatusURL     string
	DownloadURL   string
	DownloadUntil string
}

// Links are the privacy center's signed links for a request's subject.
type Links struct {
	StatusURL string
	// DownloadURL reaches the access results until DownloadUntil.
	DownloadURL   string
	DownloadUntil time.Time
}

func templateData(r *engine.Request, l Links) data {
	d := data{
		ID:          r.ID,
		Type:        strings.ReplaceAll(string(r.Type), "_", " "),
		Email:       r.Subject.Email,
		Created:     r.CreatedAt.UTC().Format(time.DateOnly),
		Due:         r.DueAt.UTC().Format(time.DateOnly),
		StatusURL:   l.StatusURL,
		DownloadURL: l.DownloadURL,
	}
	if !l.DownloadUntil.IsZero() {
		d.DownloadUntil = l.DownloadUntil.UTC().Format("2 January 2006 15:04 MST")
	}
	return d
}

// Compose fills the fields edited leaves empty from the template named
// name (a request type, or "rejected").
func (m *Mailer) Compose(ctx context.Context, r *engine.Request, name string, edited engine.Reply) (engine.Reply, error) {
	return m.ComposeWithLinks(ctx, r, name, edited, Links{})
}

// ComposeWithLinks is Compose for a request filed through the privacy
// center: templates see its links, and a body the operator wrote without
// the download link gets it appended, so the subject always receives it.
func (m *Mailer) ComposeWithLinks(_ context.Context, r *engine.Request, name string, edited engine.Reply, links Links) (engine.Reply, error) {
	out, err := m.compose(r, name, edited, links)
	if err != nil {
		return engine.Reply{}, err
	}
	if links.DownloadURL != "" && name != config.RejectedTemplate && !strings.Contains(out.Body, links.DownloadURL) {
		out.Body = strings.TrimRight(out.Body, "\n") + "\n\nDownload your data here: " + links.DownloadURL + "\n"
	}
	return out, nil
}

func (m *Mailer) compose(r *engine.Request, name string, edited engine.Reply, links Links) (engine.Reply, error) {
	tpl, ok := m.templates[name]
	if !ok {
		tpl, ok = defaults[name]
	}
	if !ok {
		return engine.Reply{}, fmt.Errorf("no reply template %q", name)
	}
	out := edited
	var err error
	if out.Subject == "" {
		if out.Subject, err = render(name+" subject", tpl.Subject, r, links); err != nil {
			return engine.Reply{}, err
		}
	}
	if out.Body == "" {
		if out.Body, err = render(name+" body", tpl.Body, r, links); err != nil {
			return engine.Reply{}, err
		}
	}
	return out, nil
}

func render(name, text string, r *engine.Request, l Links) (string, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("reply template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, templateData(r, l)); err != nil {
		return "", fmt.Errorf("reply template %s: %w", name, err)
	}
	return b.String(), nil
}

// Check parses every configured template and runs it on a sample request,
// so a mistake shows at start or reload rather than when an operator
// closes a request.
func Check(templates map[string]*config.ReplyTemplate) error {
	sample := &engine.Request{ID: "01JDEMO00000000000000000000", Type: sdk.RequestAccess,
		Subject: sdk.Subject{Email: "subject@example.com"}, CreatedAt: time.Unix(0, 0), DueAt: time.Unix(0, 0)}
	for name, t := range templates {
		if _, err := render(name+" subject", t.Subject, sample, Links{}); err != nil {
			return err
		}
		if _, err := render(name+" body", t.Body, sample, Links{}); err != nil {
			return err
		}
	}
	return nil
}
