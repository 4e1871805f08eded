package pluginhost

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// Redacted replaces a subject's identifier or a sensitive setting's value
// in whatever a plugin says.
const Redacted = "[redacted]"

// minSecret is the shortest value redacted: replacing every "1" or "eu"
// in a message would hide what went wrong and protect nothing.
const minSecret = 4

// logGrace is how long a subject's identifiers stay redacted from the
// plugin's log lines after its call ended: the lines travel through a pipe
// and may arrive after the answer.
const logGrace = time.Minute

// emailPattern catches an address a plugin logs whoever it belongs to;
// the daemon's log holds no personal data.
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

// redactor removes subjects' identifiers and integrations' sensitive
// setting values from everything that comes from a plugin: errors,
// diagnostics and log lines. A connector's author cannot be trusted to
// leave them out (a third party's error body often quotes the email it
// was given), so the daemon does it where plugin answers enter it.
type redactor struct {
	mu sync.Mutex
	// secrets holds each configured integration's sensitive values.
	secrets map[string][]string
	// held are values redacted from log lines while a call that carries
	// them runs, and for logGrace after: refs counts the calls, until the
	// expiry once none runs.
	held map[string]*hold
}

type hold struct {
	refs  int
	until time.Time
}

func newRedactor() *redactor {
	return &redactor{secrets: map[string][]string{}, held: map[string]*hold{}}
}

// setSecrets remembers an integration's sensitive values for its calls
// and for the log.
func (r *redactor) setSecrets(integration string, values []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets[integration] = values
}

// secretsOf returns an integration's sensitive values.
func (r *redactor) secretsOf(integration string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.secrets[integration]
}

// holdValues redacts values from log lines until the returned release is
// called and logGrace has passed.
func (r *redactor) holdValues(values []string) (release func()) {
	r.mu.Lock()
	for _, v := range values {
		h := r.held[v]
		if h == nil {
			h = &hold{}
			r.held[v] = h
		}
		h.refs++
	}
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		until := time.Now().Add(logGrace)
		for _, v := range values {
			if h := r.held[v]; h != nil {
				h.refs--
				h.until = until
			}
		}
	}
}

// logValues are the values to redact from a log line now: every
// integration's secrets and the identifiers of calls in flight.
func (r *redactor) logValues() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	var out []string
	for _, vs := range r.secrets {
		out = append(out, vs...)
	}
	for v, h := range r.held {
		if h.refs <= 0 && now.After(h.until) {
			delete(r.held, v)
			continue
		}
		out = append(out, v)
	}
	return out
}

// scrubLog is scrub for a log line: known values, then any email address.
func (r *redactor) scrubLog(s string) string {
	return emailPattern.ReplaceAllString(scrub(s, r.logValues()), Redacted)
}

// subjectValues are the identifiers of a job's subject, as a plugin might
// quote them: as given, and escaped for a URL's query or path.
func subjectValues(s sdk.Subject) []string {
	vals := []string{s.Email, s.Phone, s.UserID}
	for _, v := range s.Identifiers {
		// An identifier found on several records is a JSON array of them.
		vals = append(vals, v)
		vals = append(vals, sdk.IdentifierValues(v)...)
	}
	return withEscapes(vals)
}

func withEscapes(vals []string) []string {
	var out []string
	for _, v := range vals {
		if len(v) < minSecret {
			continue
		}
		out = append(out, v, url.QueryEscape(v), url.PathEscape(v))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// scrub replaces each of values in s, longest first so a value containing
// another is replaced whole. ASCII text is matched ignoring case (an email
// quoted in another case is the same address).
func scrub(s string, values []string) string {
	if s == "" || len(values) == 0 {
		return s
	}
	vals := slices.Clone(values)
	slices.SortFunc(vals, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, v := range vals {
		if len(v) < minSecret {
			continue
		}
		if isASCII(s) && isASCII(v) {
			s = replaceFold(s, v)
			continue
		}
		s = strings.ReplaceAll(s, v, Redacted)
	}
	return s
}

// replaceFold replaces every ASCII case-insensitive match of v in s.
func replaceFold(s, v string) string {
	lower, lv := strings.ToLower(s), strings.ToLower(v)
	if !strings.Contains(lower, lv) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lv)
		if i < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteString(Redacted)
		s, lower = s[i+len(v):], lower[i+len(v):]
	}
	b.WriteString(s)
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// scrubError returns err with values removed from its message and
// remediation; an error that is no *sdk.Error becomes an internal one, so
// what reaches the engine is always typed.
func scrubError(err error, values []string) error {
	if err == nil {
		return nil
	}
	var se *sdk.Error
	if !errors.As(err, &se) {
		return sdk.Errorf(sdk.ErrorInternal, "%s", scrub(err.Error(), values))
	}
	out := *se
	out.Message = scrub(se.Message, values)
	out.Remediation = scrub(se.Remediation, values)
	return &out
}

// scrubDiagnostics removes values from a Configure answer in place.
func scrubDiagnostics(resp *sdk.ConfigureResponse, values []string) {
	if resp == nil {
		return
	}
	for i := range resp.Diagnostics {
		d := &resp.Diagnostics[i]
		d.Summary = scrub(d.Summary, values)
		d.Detail = scrub(d.Detail, values)
		if d.Err != nil {
			if se, ok := scrubError(d.Err, values).(*sdk.Error); ok {
				d.Err = se
			}
		}
	}
}

// sensitiveValues collects the values of the schema's Sensitive attributes
// in settings, nested blocks included.
func sensitiveValues(schema sdk.Schema, settings sdk.Settings) []string {
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(settings))
	dec.UseNumber()
	if len(settings) == 0 || dec.Decode(&obj) != nil {
		return nil
	}
	var out []string
	collectSensitive(schema, obj, &out)
	return withEscapes(out)
}

func collectSensitive(schema sdk.Schema, obj map[string]any, out *[]string) {
	for _, a := range schema.Attributes {
		if a.Sensitive {
			flatten(obj[a.Name], out)
		}
	}
	for _, b := range schema.Blocks {
		switch v := obj[b.Name].(type) {
		case map[string]any:
			collectSensitive(b.Schema, v, out)
		case []any:
			for _, item := range v {
				if m, ok := item.(map[string]any); ok {
					collectSensitive(b.Schema, m, out)
				}
			}
		}
	}
}

// flatten appends every scalar in v as text.
func flatten(v any, out *[]string) {
	switch v := v.(type) {
	case nil:
	case string:
		*out = append(*out, v)
	case []any:
		for _, e := range v {
			flatten(e, out)
		}
	case map[string]any:
		for _, e := range v {
			flatten(e, out)
		}
	default:
		*out = append(*out, fmt.Sprint(v))
	}
}
