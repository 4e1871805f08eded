package connector

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/mail"
	"os"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// rawSettings is the settings block as the daemon sends it. Settings with a
// default are pointers so that absent ones (when a host sends no defaults)
// still get theirs, while an explicit empty list of reminders stays empty.
type rawSettings struct {
	To              []string          `json:"to"`
	Cc              []string          `json:"cc"`
	From            string            `json:"from"`
	SMTP            *rawSMTP          `json:"smtp"`
	SubjectTemplate map[string]string `json:"subject_template"`
	BodyTemplate    map[string]string `json:"body_template"`
	DueIn           *string           `json:"due_in"`
	OnNoResponse    *string           `json:"on_no_response"`
	Reminders       *[]string         `json:"reminders"`
}

type rawSMTP struct {
	Host     string   `json:"host"`
	Port     *float64 `json:"port"`
	Username string   `json:"username"`
	Password string   `json:"password"`
	TLS      *string  `json:"tls"`
	CAFile   string   `json:"ca_file"`
}

// config is one integration's validated settings.
type config struct {
	to, cc []string
	from   string
	smtp   smtpConfig
	tmpl   *templates
	dueIn  time.Duration
	// onNoResponse is validated here but acted on by the daemon.
	onNoResponse string
	// reminders are durations before the due date, longest first, so that
	// their send times come in chronological order.
	reminders []time.Duration
}

// smtpConfig is how to reach and log in to the SMTP server.
type smtpConfig struct {
	host     string
	port     int
	username string
	password string
	mode     string // tlsStartTLS, tlsImplicit or tlsNone
	tls      *tls.Config
}

// decodeSettings decodes and validates settings, reporting every problem at
// once, each on the attribute at fault. The config is nil when any is an
// error.
func decodeSettings(s sdk.Settings) (*config, []sdk.Diagnostic) {
	var raw rawSettings
	if err := s.Decode(&raw); err != nil {
		return nil, []sdk.Diagnostic{decodeDiagnostic(err)}
	}
	var diags []sdk.Diagnostic
	add := func(path []string, summary, detail string) {
		diags = append(diags, sdk.AttributeError(path, summary, detail))
	}
	cfg := &config{}

	if len(raw.To) == 0 {
		add([]string{"to"}, "Missing recipient", "Set to to the email addresses of the processor, such as [\"privacy@vendor.example\"].")
	}
	cfg.to = checkAddresses("to", raw.To, add)
	cfg.cc = checkAddresses("cc", raw.Cc, add)

	cfg.smtp = checkSMTP(raw.SMTP, add)
	cfg.from = checkFrom(raw.From, cfg.smtp.username, add)

	cfg.tmpl = checkTemplates(raw.SubjectTemplate, raw.BodyTemplate, add)

	cfg.dueIn = checkDueIn(raw.DueIn, add)
	cfg.onNoResponse = valueOr(raw.OnNoResponse, defaultOnNoResponse)
	if cfg.onNoResponse != onNoResponseBlock && cfg.onNoResponse != onNoResponseSkip {
		add([]string{"on_no_response"}, "Invalid on_no_response",
			fmt.Sprintf("on_no_response is %q; it must be %q or %q.", cfg.onNoResponse, onNoResponseBlock, onNoResponseSkip))
	}
	reminders := defaultReminders
	if raw.Reminders != nil {
		reminders = *raw.Reminders
	}
	cfg.reminders = checkReminders(reminders, cfg.dueIn, add)

	if len(diags) > 0 {
		return nil, diags
	}
	return cfg, nil
}

// decodeDiagnostic points a JSON type mismatch at its attribute; the daemon
// decodes against the schema first, so this mostly guards other hosts.
func decodeDiagnostic(err error) sdk.Diagnostic {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return sdk.AttributeError(strings.Split(typeErr.Field, "."), "Wrong type",
			fmt.Sprintf("%s must be a %s.", typeErr.Field, typeErr.Type))
	}
	return sdk.AttributeError(nil, "Unreadable settings", err.Error())
}

func valueOr(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// checkAddresses validates each address. Messages name the position, not the
// address, so nothing an admin typed is echoed into logs.
func checkAddresses(attr string, addrs []string, add func([]string, string, string)) []string {
	for i, a := range addrs {
		if _, err := mail.ParseAddress(a); err != nil {
			add([]string{attr}, "Invalid email address",
				fmt.Sprintf("%s[%d] is not a valid email address (%v).", attr, i, err))
		}
	}
	return addrs
}

func checkFrom(from, username string, add func([]string, string, string)) string {
	if from == "" {
		if _, err := mail.ParseAddress(username); err == nil {
			return username
		}
		add([]string{"from"}, "Missing sender address",
			"Set from to the address the emails come from, such as \"Privacy Team <privacy@example.com>\"; it can only be left out when smtp.username is an email address.")
		return ""
	}
	if _, err := mail.ParseAddress(from); err != nil {
		add([]string{"from"}, "Invalid email address", fmt.Sprintf("from is not a valid email address (%v).", err))
	}
	return from
}

func checkSMTP(raw *rawSMTP, add func([]string, string, string)) smtpConfig {
	if raw == nil {
		add([]string{"smtp"}, "Missing smtp block", "Add an smtp block with at least host, the SMTP server the emails are sent through, here or at the top level of the daemon's configuration.")
		return smtpConfig{}
	}
	s := smtpConfig{host: raw.Host, username: raw.Username, password: raw.Password, port: defaultPort, mode: valueOr(raw.TLS, defaultTLS)}
	switch {
	case raw.Host == "":
		add([]string{"smtp", "host"}, "Missing SMTP host", "Set smtp.host to the SMTP server's host name.")
	case strings.ContainsAny(raw.Host, ":/ ") && net.ParseIP(raw.Host) == nil:
		add([]string{"smtp", "host"}, "Invalid SMTP host", "smtp.host must be a bare host name; write the port in smtp.port.")
	}
	if raw.Port != nil {
		p := *raw.Port
		if p != math.Trunc(p) || p < 1 || p > 65535 {
			add([]string{"smtp", "port"}, "Invalid SMTP port", fmt.Sprintf("smtp.port is %v; it must be a whole number from 1 to 65535.", p))
		} else {
			s.port = int(p)
		}
	}
	switch s.mode {
	case tlsStartTLS, tlsImplicit, tlsNone:
	default:
		add([]string{"smtp", "tls"}, "Invalid TLS mode",
			fmt.Sprintf("smtp.tls is %q; it must be %q, %q or %q.", s.mode, tlsStartTLS, tlsImplicit, tlsNone))
	}
	if raw.Password != "" && raw.Username == "" {
		add([]string{"smtp", "username"}, "Missing SMTP username", "smtp.password is set but smtp.username is not; set both to log in, or neither.")
	}
	if raw.Username != "" && raw.Password == "" {
		add([]string{"smtp", "password"}, "Missing SMTP password", "smtp.username is set but smtp.password is not; set both to log in, or neither.")
	}
	s.tls = &tls.Config{ServerName: raw.Host, MinVersion: tls.VersionTLS12}
	if raw.CAFile != "" {
		pool, err := loadCAFile(raw.CAFile)
		if err != nil {
			add([]string{"smtp", "ca_file"}, "Unusable CA file", err.Error())
		}
		s.tls.RootCAs = pool
	}
	return s
}

// loadCAFile reads a PEM bundle of certificate authorities.
func loadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read smtp.ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("smtp.ca_file %q holds no PEM certificate", path)
	}
	return pool, nil
}

// checkTemplates merges the admin's templates over the defaults, parses them
// and runs each on sample data, so a misspelt field fails now rather than
// when a request arrives.
func checkTemplates(subjects, bodies map[string]string, add func([]string, string, string)) *templates {
	t := &templates{subject: map[string]*template.Template{}, body: map[string]*template.Template{}}
	for _, set := range []struct {
		attr     string
		given    map[string]string
		defaults map[string]string
		into     map[string]*template.Template
	}{
		{"subject_template", subjects, defaultSubjectTemplates(), t.subject},
		{"body_template", bodies, defaultBodyTemplates(), t.body},
	} {
		for _, k := range sortedKeys(set.given) {
			if !slices.Contains(kinds, k) {
				add([]string{set.attr}, "Unknown request kind",
					fmt.Sprintf("%s has a template for %q; its keys must be %q or %q.", set.attr, k, kindAccess, kindDeletion))
			}
		}
		for _, kind := range kinds {
			text, ok := set.given[kind]
			if !ok {
				text = set.defaults[kind]
			}
			tmpl, err := parseTemplate(set.attr+"."+kind, text)
			if err == nil {
				err = tryTemplate(tmpl, kind)
			}
			if err != nil {
				add([]string{set.attr}, "Invalid template", fmt.Sprintf("The %s template of %s: %v", kind, set.attr, err))
				continue
			}
			set.into[kind] = tmpl
		}
	}
	return t
}

// tryTemplate executes tmpl on sample data, as a first email and as a
// reminder, since either branch may hold the mistake.
func tryTemplate(tmpl *template.Template, kind string) error {
	for _, reminder := range []bool{false, true} {
		data := sampleData(kind)
		data.Reminder = reminder
		if err := tmpl.Execute(io.Discard, data); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func checkDueIn(raw *string, add func([]string, string, string)) time.Duration {
	d, err := sdk.ParseDuration(valueOr(raw, defaultDueIn))
	switch {
	case err != nil:
		add([]string{"due_in"}, "Invalid duration", err.Error())
	case d <= 0:
		add([]string{"due_in"}, "Invalid duration", "due_in must be longer than zero, such as \"14d\".")
	}
	return d
}

// checkReminders parses the reminders, drops duplicates and sorts them
// longest first. A reminder not strictly before the due date could never be
// sent, so it is an error rather than silently ignored.
func checkReminders(raw []string, dueIn time.Duration, add func([]string, string, string)) []time.Duration {
	var out []time.Duration
	for i, s := range raw {
		d, err := sdk.ParseDuration(s)
		switch {
		case err != nil:
			add([]string{"reminders"}, "Invalid duration", fmt.Sprintf("reminders[%d]: %v", i, err))
		case d <= 0:
			add([]string{"reminders"}, "Invalid reminder", fmt.Sprintf("reminders[%d] is zero; a reminder is a duration before the due date, such as \"3d\".", i))
		case dueIn > 0 && d >= dueIn:
			add([]string{"reminders"}, "Invalid reminder",
				fmt.Sprintf("reminders[%d] (%s before the due date) is not after the email is sent (due_in is %s), so it would never be sent.", i, s, dueInText(dueIn)))
		case !slices.Contains(out, d):
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b time.Duration) int { return cmp.Compare(b, a) })
	return out
}

func dueInText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
