package connector

import "github.com/dsrhost/dsrhost/sdk"

// The defaults of the settings the daemon fills in when they are absent.
const (
	defaultDueIn        = "14d"
	defaultOnNoResponse = onNoResponseBlock
	defaultPort         = 587
	defaultTLS          = tlsStartTLS
)

// defaultReminders is one reminder three days before the due date.
var defaultReminders = []string{"3d"}

// The values of on_no_response and smtp.tls.
const (
	onNoResponseBlock = "block"
	onNoResponseSkip  = "skip"

	tlsStartTLS = "starttls"
	tlsImplicit = "tls"
	tlsNone     = "none"
)

// settingsSchema is the settings block admins write; the daemon decodes HCL
// against it, so most typing mistakes are reported before Configure runs.
func settingsSchema() sdk.Schema {
	return sdk.Schema{
		Attributes: []sdk.Attribute{
			{Name: "to", Type: sdk.TypeListOfString, Required: true,
				Description: "Email addresses of the processor who handles the requests, such as a vendor's privacy team."},
			{Name: "cc", Type: sdk.TypeListOfString,
				Description: "Email addresses copied on every email, such as your own privacy team."},
			{Name: "from", Type: sdk.TypeString,
				Description: "Sender address, optionally with a name (\"Privacy Team <privacy@example.com>\"). Defaults to smtp.username when that is an email address."},
			{Name: "subject_template", Type: sdk.TypeMapOfString, Default: defaultSubjectTemplates(),
				Description: "Subject line per request kind (keys \"access\" and \"deletion\"), a Go text/template; a kind left out keeps its default. " + templateFieldsHelp},
			{Name: "body_template", Type: sdk.TypeMapOfString, Default: defaultBodyTemplates(),
				Description: "Plain-text body per request kind (keys \"access\" and \"deletion\"), a Go text/template; a kind left out keeps its default. It should tell the processor what to do, by when, and where to answer. " + templateFieldsHelp},
			{Name: "due_in", Type: sdk.TypeDuration, Default: defaultDueIn,
				Description: "How long the processor has to answer, counted from when the email is sent, such as \"14d\"."},
			{Name: "on_no_response", Type: sdk.TypeString, Default: defaultOnNoResponse,
				Description: "What happens when the processor has not answered by the due date: \"block\" keeps the request waiting (shown as \"Due # days ago\"), \"skip\" completes the integration as skipped (no response)."},
			{Name: "reminders", Type: sdk.TypeListOfString, Default: defaultReminders,
				Description: "When to remind the processor, as durations before the due date, such as [\"7d\", \"3d\"]; [] sends no reminder."},
		},
		Blocks: []sdk.Block{{
			Name:        "smtp",
			Nesting:     sdk.NestingSingle,
			MaxItems:    1,
			Description: "The SMTP server the emails are sent through; when left out, the daemon's top-level smtp block is used. Configure connects, negotiates TLS, logs in and checks the sender and recipients are accepted, without sending anything.",
			Schema: sdk.Schema{Attributes: []sdk.Attribute{
				{Name: "host", Type: sdk.TypeString, Required: true,
					Description: "Host name of the SMTP server; also the name its TLS certificate must carry."},
				{Name: "port", Type: sdk.TypeNumber, Default: defaultPort,
					Description: "Port of the SMTP server: 587 for STARTTLS submission, 465 for implicit TLS, 25 for relays."},
				{Name: "username", Type: sdk.TypeString,
					Description: "User to log in as (SMTP AUTH PLAIN or LOGIN); leave out for a relay that needs no login."},
				{Name: "password", Type: sdk.TypeString, Sensitive: true,
					Description: "Password of username; read it with env(\"NAME\") rather than writing it in the file."},
				{Name: "tls", Type: sdk.TypeString, Default: defaultTLS,
					Description: "\"starttls\" (the default) upgrades the connection and refuses a server without STARTTLS; \"tls\" connects with implicit TLS (port 465); \"none\" sends in clear text, for a relay on a trusted network only."},
				{Name: "ca_file", Type: sdk.TypeString,
					Description: "PEM file of the certificate authorities to trust for the server's certificate instead of the system's, for an internal relay with a private CA."},
			}},
		}},
	}
}

// templateFieldsHelp tells admins what a template may use.
const templateFieldsHelp = "Fields: .RequestID, .RequestType, .Integration, .DueDate, .Due (a time), .DaysLeft, .ResponseURL, .Reminder (true in reminders), .Answers, and .Subject with .Email, .Phone, .UserID and .Identifiers (a map)."
