package connector

import (
	"fmt"
	"strings"
	"text/template"
	"time"
)

// The request kinds an email is about: the keys of subject_template and
// body_template.
const (
	kindAccess   = "access"
	kindDeletion = "deletion"
)

// kinds lists the request kinds in a stable order.
var kinds = []string{kindAccess, kindDeletion}

// templateData is what subject and body templates see. Its field names are
// part of the settings' contract (see templateFieldsHelp).
type templateData struct {
	RequestID   string
	RequestType string
	Integration string
	// DueDate is Due written out for people, in UTC.
	DueDate string
	Due     time.Time
	// DaysLeft is the number of whole days until Due, 0 once it has passed.
	DaysLeft    int
	ResponseURL string
	// Reminder is true in reminders, false in the first email.
	Reminder bool
	// Answers are the sentences the processor chooses from on the answer page.
	Answers []string
	Subject templateSubject
}

// templateSubject holds the identifiers the processor needs to find the
// subject, and nothing else about them.
type templateSubject struct {
	Email       string
	Phone       string
	UserID      string
	Identifiers map[string]string
}

// formatDue writes a due time the same way in every email, with the zone
// spelled out since processors read it anywhere in the world.
func formatDue(t time.Time) string {
	return t.UTC().Format("Monday 2 January 2006, 15:04 MST")
}

// daysLeft counts whole days from now to due, rounding up so "due in 1 day"
// is said until the last moment.
func daysLeft(now, due time.Time) int {
	d := due.Sub(now)
	if d <= 0 {
		return 0
	}
	return int((d + 24*time.Hour - 1) / (24 * time.Hour))
}

// templates are one integration's parsed subject and body templates, by kind.
type templates struct {
	subject map[string]*template.Template
	body    map[string]*template.Template
}

// render executes the templates of kind over data. Newlines in the subject are
// folded into spaces: a header must be one line.
func (t *templates) render(kind string, data *templateData) (subject, body string, err error) {
	var sb, bb strings.Builder
	if err := t.subject[kind].Execute(&sb, data); err != nil {
		return "", "", fmt.Errorf("render %s subject_template: %w", kind, err)
	}
	if err := t.body[kind].Execute(&bb, data); err != nil {
		return "", "", fmt.Errorf("render %s body_template: %w", kind, err)
	}
	subject = strings.Join(strings.Fields(sb.String()), " ")
	return subject, bb.String(), nil
}

// parseTemplate parses one template with the options every template uses: an
// identifier the subject lacks renders empty rather than as "<no value>".
func parseTemplate(name, text string) (*template.Template, error) {
	return template.New(name).Option("missingkey=zero").Parse(text)
}

// sampleData is realistic data to execute templates with at Configure time,
// so a misspelt field is reported then rather than when a request arrives.
func sampleData(kind string) *templateData {
	due := time.Date(2030, 1, 15, 17, 0, 0, 0, time.UTC)
	return &templateData{
		RequestID:   "01J0000000000000000000SAMP",
		RequestType: kind,
		Integration: "sample",
		DueDate:     formatDue(due),
		Due:         due,
		DaysLeft:    14,
		ResponseURL: "https://privacy.example.com/respond/sample",
		Answers:     answerTexts(kind),
		Subject: templateSubject{
			Email:       "subject@example.com",
			Phone:       "+1 555 0100",
			UserID:      "u-1",
			Identifiers: map[string]string{"account": "a-1"},
		},
	}
}

// answerTexts are the answers the processor chooses from for kind.
func answerTexts(kind string) []string {
	var out []string
	if kind == kindDeletion {
		for _, a := range DeletionAnswers() {
			out = append(out, a.Text())
		}
		return out
	}
	for _, a := range AccessAnswers() {
		out = append(out, a.Text())
	}
	return out
}

func defaultSubjectTemplates() map[string]string {
	return map[string]string{
		kindAccess:   `{{if .Reminder}}Reminder: {{end}}Data access request {{.RequestID}}: please respond by {{.DueDate}}`,
		kindDeletion: `{{if .Reminder}}Reminder: {{end}}Data deletion request {{.RequestID}}: please respond by {{.DueDate}}`,
	}
}

func defaultBodyTemplates() map[string]string {
	return map[string]string{kindAccess: defaultAccessBody, kindDeletion: defaultDeletionBody}
}

// subjectBlock lists the identifiers, shared by both default bodies.
const subjectBlock = `The data subject:
{{- with .Subject}}
{{- if .Email}}
  Email:   {{.Email}}{{end}}
{{- if .Phone}}
  Phone:   {{.Phone}}{{end}}
{{- if .UserID}}
  User ID: {{.UserID}}{{end}}
{{- range $name, $value := .Identifiers}}
  {{$name}}: {{$value}}{{end}}
{{- end}}
`

// linkBlock says where and how to answer, shared by both default bodies.
const linkBlock = `{{if .ResponseURL -}}
Answer here: {{.ResponseURL}}

This link is single-use: it works for one answer only and expires
after the due date. Please do not forward it. If you cannot answer by
the due date, reply to this email.
{{- else -}}
Please answer by replying to this email.
{{- end}}`

const defaultAccessBody = `Hello,
{{if .Reminder}}
This is a reminder: we have not yet received your answer to the request
below, which is due in {{.DaysLeft}} day{{if ne .DaysLeft 1}}s{{end}}.
{{end}}
We have received a data access request: a person has asked for a copy
of the personal data held about them. As you process personal data on
our behalf, please search your systems for personal data about the data
subject below and answer by {{.DueDate}}.

Request type: access
Reference:    {{.RequestID}}
Due date:     {{.DueDate}}

` + subjectBlock + `
What to do:
1. Search your systems for personal data about the data subject.
2. Open the link below and give one of these answers:
{{range .Answers}}
- {{.}}{{end}}

If you hold data, upload it on the answer page as files (for example
CSV or PDF exports).

` + linkBlock + `

Thank you.
`

const defaultDeletionBody = `Hello,
{{if .Reminder}}
This is a reminder: we have not yet received your answer to the request
below, which is due in {{.DaysLeft}} day{{if ne .DaysLeft 1}}s{{end}}.
{{end}}
We have received a data deletion request: a person has asked for the
personal data held about them to be deleted. As you process personal
data on our behalf, please delete any personal data you hold about the
data subject below and answer by {{.DueDate}}.

Request type: deletion
Reference:    {{.RequestID}}
Due date:     {{.DueDate}}

` + subjectBlock + `
What to do:
1. Search your systems for personal data about the data subject and
   delete it, including copies you are able to delete.
2. Open the link below and give one of these answers:
{{range .Answers}}
- {{.}}{{end}}

` + linkBlock + `

Thank you.
`
