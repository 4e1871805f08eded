package config

import (
	"github.com/hashicorp/hcl/v2"
)

// Config is a decoded configuration file. Maps are keyed by the blocks'
// labels. It is complete (every default filled in) only when the diagnostics
// returned with it hold no error.
type Config struct {
	// Filename is the file the configuration was read from (the first of
	// several; each block's range names its own).
	Filename string

	Server Server
	Redis  Redis

	// EncryptionKey encrypts stored access results.
	EncryptionKey Key
	// PreviousEncryptionKeys still decrypt results written before a key
	// rotation; nothing new is encrypted with them.
	PreviousEncryptionKeys []Key

	// AdminTokens are keyed by the token's name, the name recorded in
	// request history for every operator action.
	AdminTokens map[string]*AdminToken

	// ResultsRetention is how long access results are kept after a request
	// closes (default 30 days).
	ResultsRetention Duration

	// RequestTypes holds every request type of [RequestTypeNames], with
	// defaults for those the file does not declare.
	RequestTypes map[string]*RequestType

	// Plugins holds the declared plugins plus the built-in plugins
	// (see [BuiltinPlugins]) that integrations use without declaring.
	Plugins map[string]*Plugin

	Integrations map[string]*Integration

	// SMTP is nil when the file has no smtp block.
	SMTP *SMTP

	// ReplyTemplates are keyed by request type name or "rejected".
	ReplyTemplates map[string]*ReplyTemplate

	// Manuals are the manual data sources, keyed by name.
	Manuals map[string]*Manual

	// PrivacyCenter is nil when the file has no privacy_center block.
	PrivacyCenter *PrivacyCenter
	// Telemetry is nil when the file has no telemetry block.
	Telemetry *Telemetry
	// UI is nil when the file has no ui block (the console is on).
	UI *UI
}

// Server is the server block: where the admin API listens.
type Server struct {
	// Listen is host:port (default "127.0.0.1:8700").
	Listen string
	// PublicURL is the absolute http(s) URL that direct-contact links start
	// with (default "http://" + Listen).
	PublicURL string
	// TLS is nil when the API is served without TLS.
	TLS *TLS
	// CORSOrigins are the browser origins allowed to call the API from
	// another site (cors_origins); none by default.
	CORSOrigins []string
	// DeclRange is the server block's header; zero when the file has none.
	DeclRange hcl.Range
}

// TLS is the server's certificate and key; relative paths in the file are
// resolved from the file's directory.
type TLS struct {
	CertFile  string
	KeyFile   string
	DeclRange hcl.Range
}

// Redis says how to reach Redis: exactly one of URL, Sentinel or Cluster
// is set.
type Redis struct {
	// URL is a redis://, rediss:// or unix:// URL. It may carry a password,
	// hence a Secret.
	URL       Secret
	Sentinel  *RedisSentinel
	Cluster   *RedisCluster
	DeclRange hcl.Range
}

// RedisSentinel is Redis behind Sentinel for failover.
type RedisSentinel struct {
	MasterName string
	// Addrs are the sentinels' host:port addresses.
	Addrs    []string
	Password Secret
	// DB is the database number (default 0).
	DB        int
	DeclRange hcl.Range
}

// RedisCluster is a Redis Cluster.
type RedisCluster struct {
	// Addrs are host:port addresses of some of the cluster's nodes.
	Addrs     []string
	Password  Secret
	DeclRange hcl.Range
}

// Role is what an admin token may do.
type Role string

// The roles, each allowing what the one before it does and more.
const (
	// RoleViewer reads.
	RoleViewer Role = "viewer"
	// RoleOperator also acts on requests and integrations.
	RoleOperator Role = "operator"
	// RoleAdmin also reloads the configuration.
	RoleAdmin Role = "admin"
)

// AdminToken is a bearer token of the admin API, stored as its hash.
type AdminToken struct {
	Name string
	// SHA256 is the lowercase hex SHA-256 of the token.
	SHA256    string
	Role      Role
	DeclRange hcl.Range
}

// RequestType is the policy for one type of privacy request.
type RequestType struct {
	// Name is one of [RequestTypeNames].
	Name string
	// Deadline is added to a request's creation time to give its due time
	// (default 45 days). When DeadlineMonths is set it counts calendar
	// months ("1mo") and Deadline holds an upper bound (31 days a month).
	Deadline       Duration
	DeadlineMonths int
	// Extension is how much later an operator may move the due date, once,
	// with a reason (zero: no extension); ExtensionMonths as for Deadline.
	Extension       Duration
	ExtensionMonths int
	// ClockStartsAtVerification counts the deadline from the subject's
	// identity confirmation instead of the request's receipt.
	ClockStartsAtVerification bool
	// AcknowledgeWithin is how soon the receipt must be acknowledged
	// (zero: no such deadline); the privacy center's verification email is
	// the acknowledgement.
	AcknowledgeWithin Duration
	// AutoApprove skips the Review stage.
	AutoApprove bool
	// RequireDeletionApproval holds deletion requests in Pending Delete
	// until an operator approves; only the deletion type may set it.
	RequireDeletionApproval bool
	// DeclRange is the block's header; zero for a type the file does not
	// declare.
	DeclRange hcl.Range
}

// Plugin is a connector binary.
type Plugin struct {
	Name string
	// Command is the binary's path as written in the file (the daemon
	// resolves it against its working directory); for a built-in plugin
	// "bin/dsrhost-plugin-<name>".
	Command string
	Args    []string
	// SHA256 is the lowercase hex SHA-256 the binary must have; empty when
	// not pinned.
	SHA256 string
	// Builtin is true for a shipped plugin no plugin block declares.
	Builtin bool
	// DeclRange is the plugin block's header, or for a built-in plugin the
	// plugin attribute of the first integration that uses it.
	DeclRange hcl.Range
}

// DeletionBehavior says when a deletion counts as done.
type DeletionBehavior string

// The deletion behaviours.
const (
	// DeletionWaitForCompletion polls an asynchronous deletion until the
	// third party reports it finished (the default).
	DeletionWaitForCompletion DeletionBehavior = "wait_for_completion"
	// DeletionCompleteOnSubmit counts a deletion done once accepted.
	DeletionCompleteOnSubmit DeletionBehavior = "complete_on_submit"
)

// Integration is a data source served by a plugin.
type Integration struct {
	Name string
	// Plugin names an entry of Config.Plugins.
	Plugin string
	// PluginRange is the plugin attribute's value, for diagnostics about
	// the plugin (it failed to launch, it cannot delete).
	PluginRange hcl.Range
	// Category groups integrations in the data inventory.
	Category string
	// RetryInterval is the wait before a failed job is retried (default 24h).
	RetryInterval Duration
	// MaxAttempts bounds automatic retries (default 30).
	MaxAttempts int
	// PollInterval is the wait between polls of an asynchronous job
	// (default 1h).
	PollInterval Duration
	// MaxWait bounds the polling of one job (default 4380h, six months).
	MaxWait          Duration
	DeletionBehavior DeletionBehavior
	// DependsOn names integrations that must complete first.
	DependsOn []string
	// Flow limits the calls made to the integration's third party.
	Flow Flow
	// Settings is the undecoded settings block; decode it with
	// [DecodeSettings] against the plugin's schema. It is an empty body
	// (whose missing-item range is the integration's header) when the
	// block is absent.
	Settings hcl.Body
	// DeclRange is the integration block's header.
	DeclRange hcl.Range
}

// SMTPTLS is how the SMTP connection is secured.
type SMTPTLS string

// The SMTP TLS modes.
const (
	// SMTPStartTLS upgrades a plain connection with STARTTLS (the default).
	SMTPStartTLS SMTPTLS = "starttls"
	// SMTPImplicitTLS connects with TLS from the first byte (port 465).
	SMTPImplicitTLS SMTPTLS = "tls"
	// SMTPNoTLS sends in the clear, for a local relay only.
	SMTPNoTLS SMTPTLS = "none"
)

// SMTP is the mail server replies to subjects go through.
type SMTP struct {
	Host string
	// Port defaults to 587.
	Port     int
	Username string
	Password Secret
	// From is the sender address.
	From      string
	TLS       SMTPTLS
	DeclRange hcl.Range
}

// ReplyTemplate is the pre-filled answer to a subject.
type ReplyTemplate struct {
	// Name is a request type name or "rejected".
	Name    string
	Subject string
	// Body is a text/template over the request.
	Body      string
	DeclRange hcl.Range
}

// Manual is a data source an operator handles by hand, shown as a
// checklist item on requests of its types.
type Manual struct {
	Name         string
	Category     string
	RequestTypes []string
	Instructions string
	DeclRange    hcl.Range
}
