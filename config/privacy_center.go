package config

import (
	"net/mail"
	"regexp"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Defaults of the privacy_center block.
const (
	defaultPrivacyListen       = "0.0.0.0:8443"
	defaultVerificationTTL     = 24 * time.Hour
	defaultVerificationTries   = 5
	defaultDownloadTTL         = 7 * 24 * time.Hour
	defaultDownloadUses        = 3
	defaultLimitWindow         = time.Hour
	defaultSubmissionsPerIP    = 10
	defaultSubmissionsPerEmail = 3
	defaultVerificationsPerIP  = 30
)

// Verification methods of the privacy center.
const (
	// VerifyLink mails a link the subject opens to confirm.
	VerifyLink = "link"
	// VerifyCode mails a 6-digit code the subject types in.
	VerifyCode = "code"
)

// PrivacyCenter is the privacy_center block: the subjects' own pages under
// /privacy/. It is nil in a Config whose file has no such block.
type PrivacyCenter struct {
	Enabled bool
	// Listen is its own host:port, so it can face the internet while the
	// admin API stays private. When it equals server.listen the pages are
	// served there.
	Listen string
	// PublicURL is the absolute URL subjects reach the pages at (default
	// "http://" + Listen); emailed links start with it.
	PublicURL string
	// Organisation and Contact name who answers the requests (shown on
	// every page and in every email).
	Organisation string
	Contact      string
	// RequestTypes are the request types offered, in the file's order
	// (default: access and deletion, asking for the email address only).
	RequestTypes []*PrivacyRequestType
	Verification Verification
	Download     Download
	Limits       PrivacyLimits
	DeclRange    hcl.Range
}

// PrivacyRequestType is a request type the privacy center offers, with the
// identifiers its form asks for besides the email address.
type PrivacyRequestType struct {
	// Name is one of [RequestTypeNames].
	Name string
	// Identifiers are the form's further fields: "phone", "user_id" or
	// any other name (kept among the subject's identifiers).
	Identifiers []string
	DeclRange   hcl.Range
}

// Verification is how a subject proves the email address is theirs.
type Verification struct {
	// Method is VerifyLink or VerifyCode.
	Method string
	// TTL bounds an unverified submission's life (default 24h); after it
	// nothing of the submission remains.
	TTL Duration
	// MaxAttempts bounds wrong codes per submission (default 5).
	MaxAttempts int
}

// Download is how the link to an access request's results behaves.
type Download struct {
	// TTL is how long the link works after the reply (default 7 days).
	TTL Duration
	// MaxUses bounds the downloads through one link (default 3).
	MaxUses int
}

// PrivacyLimits are the abuse limits, counted in Redis so every daemon
// sharing it shares them.
type PrivacyLimits struct {
	// Window is the period the counts run over (default 1h).
	Window Duration
	// SubmissionsPerIP and SubmissionsPerEmail bound forms sent.
	SubmissionsPerIP    int
	SubmissionsPerEmail int
	// VerificationsPerIP bounds verification attempts (link or code).
	VerificationsPerIP int
}

var privacyCenterSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "enabled"}, {Name: "listen"}, {Name: "public_url"},
		{Name: "organisation"}, {Name: "contact"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "request_type", LabelNames: []string{"type"}},
		{Type: "verification"}, {Type: "download"}, {Type: "rate_limit"},
	},
}

var (
	privacyTypeSchema     = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "identifiers"}}}
	verificationSchema    = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "method"}, {Name: "ttl"}, {Name: "max_attempts"}}}
	downloadSchema        = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "ttl"}, {Name: "max_uses"}}}
	privacyLimitsSchema   = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "per"}, {Name: "submissions_per_ip"}, {Name: "submissions_per_email"}, {Name: "verifications_per_ip"}}}
	identifierName        = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	defaultOfferedTypes   = []string{"access", "deletion"}
	reservedIdentifierSet = []string{"email"}
)

// DefaultPrivacyCenter is the privacy center of a file without the block
// but with everything filled in, as dev mode turns it on.
func DefaultPrivacyCenter() *PrivacyCenter {
	pc := &PrivacyCenter{
		Listen:       defaultPrivacyListen,
		Organisation: "The privacy team",
		Verification: Verification{Method: VerifyLink, TTL: Duration{Duration: defaultVerificationTTL}, MaxAttempts: defaultVerificationTries},
		Download:     Download{TTL: Duration{Duration: defaultDownloadTTL}, MaxUses: defaultDownloadUses},
		Limits: PrivacyLimits{Window: Duration{Duration: defaultLimitWindow}, SubmissionsPerIP: defaultSubmissionsPerIP,
			SubmissionsPerEmail: defaultSubmissionsPerEmail, VerificationsPerIP: defaultVerificationsPerIP},
	}
	for _, n := range defaultOfferedTypes {
		pc.RequestTypes = append(pc.RequestTypes, &PrivacyRequestType{Name: n})
	}
	pc.PublicURL = defaultPublicURL(pc.Listen)
	return pc
}

// Offers returns the offered request type named name, or nil.
func (pc *PrivacyCenter) Offers(name string) *PrivacyRequestType {
	for _, t := range pc.RequestTypes {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func (d *decoder) privacyCenter(blk *hcl.Block) *PrivacyCenter {
	pc := DefaultPrivacyCenter()
	pc.Enabled = true
	pc.DeclRange = blk.DefRange
	content, diags := blk.Body.Content(privacyCenterSchema)
	d.add(diags...)
	attrs := content.Attributes
	if a := attrs["enabled"]; a != nil {
		pc.Enabled, _ = d.boolean(a)
	}
	if a := attrs["listen"]; a != nil {
		if v, _, ok := d.str(a); ok {
			if validHostPort(v, true) {
				pc.Listen = v
			} else {
				d.errorAt(a.Expr.Range(), "Invalid listen address",
					`The privacy center's listen address must be host:port, such as "0.0.0.0:8443".`)
			}
		}
	}
	pc.PublicURL = defaultPublicURL(pc.Listen)
	if a := attrs["public_url"]; a != nil {
		if v, _, ok := d.str(a); ok {
			if validHTTPURL(v) {
				pc.PublicURL = v
			} else {
				d.errorAt(a.Expr.Range(), "Invalid public URL",
					`public_url must be an absolute http or https URL, such as "https://privacy.example.com"; the links emailed to subjects start with it.`)
			}
		}
	}
	if a := attrs["organisation"]; a != nil {
		pc.Organisation = d.nonEmptyString(a)
	}
	if a := attrs["contact"]; a != nil {
		if v, _, ok := d.str(a); ok {
			if _, err := mail.ParseAddress(v); err == nil {
				pc.Contact = v
			} else {
				d.errorAt(a.Expr.Range(), "Invalid contact address", `contact must be an email address, such as "privacy@example.com".`)
			}
		}
	}
	d.privacyBlocks(pc, content.Blocks)
	return pc
}

// privacyBlocks decodes the nested blocks, each at most once (request
// types once per type).
func (d *decoder) privacyBlocks(pc *PrivacyCenter, blocks hcl.Blocks) {
	seen := map[string]hcl.Range{}
	var offered []*PrivacyRequestType
	for _, b := range blocks {
		key := b.Type
		if b.Type == "request_type" {
			key += "/" + b.Labels[0]
		}
		if prev, ok := seen[key]; ok {
			d.errorAt(b.DefRange, "Duplicate "+b.Type+" block", "This block was already declared at %s.", position(prev))
			continue
		}
		seen[key] = b.DefRange
		switch b.Type {
		case "request_type":
			if t := d.privacyType(b); t != nil {
				offered = append(offered, t)
			}
		case "verification":
			d.verification(b, &pc.Verification)
		case "download":
			c, diags := b.Body.Content(downloadSchema)
			d.add(diags...)
			pc.Download.TTL = d.duration(c.Attributes["ttl"], defaultDownloadTTL, true)
			d.optionalCount(c.Attributes["max_uses"], &pc.Download.MaxUses, 1, 1000)
		case "rate_limit":
			c, diags := b.Body.Content(privacyLimitsSchema)
			d.add(diags...)
			pc.Limits.Window = d.duration(c.Attributes["per"], defaultLimitWindow, true)
			d.optionalCount(c.Attributes["submissions_per_ip"], &pc.Limits.SubmissionsPerIP, 1, 1_000_000)
			d.optionalCount(c.Attributes["submissions_per_email"], &pc.Limits.SubmissionsPerEmail, 1, 1_000_000)
			d.optionalCount(c.Attributes["verifications_per_ip"], &pc.Limits.VerificationsPerIP, 1, 1_000_000)
		}
	}
	if len(offered) > 0 {
		pc.RequestTypes = offered
	}
}

func (d *decoder) verification(b *hcl.Block, v *Verification) {
	c, diags := b.Body.Content(verificationSchema)
	d.add(diags...)
	if a := c.Attributes["method"]; a != nil {
		if m, secret, ok := d.str(a); ok {
			if m == VerifyLink || m == VerifyCode {
				v.Method = m
			} else {
				d.errorAt(a.Expr.Range(), "Invalid verification method", `method %s is not "link" or "code".`, describe(m, secret))
			}
		}
	}
	v.TTL = d.duration(c.Attributes["ttl"], defaultVerificationTTL, true)
	d.optionalCount(c.Attributes["max_attempts"], &v.MaxAttempts, 1, 100)
}

func (d *decoder) privacyType(b *hcl.Block) *PrivacyRequestType {
	name := b.Labels[0]
	c, diags := b.Body.Content(privacyTypeSchema)
	d.add(diags...)
	if !slices.Contains(requestTypeNames, name) {
		d.errorAt(b.LabelRanges[0], "Unknown request type", "%q is not a request type; use %s.", name, quotedList(requestTypeNames))
		return nil
	}
	t := &PrivacyRequestType{Name: name, DeclRange: b.DefRange}
	a := c.Attributes["identifiers"]
	if a == nil {
		return t
	}
	list, ranges, _, ok := d.stringList(a)
	if !ok {
		return t
	}
	for i, id := range list {
		switch {
		case slices.Contains(reservedIdentifierSet, id):
			d.errorAt(ranges[i], "Invalid identifier", "The email address is always asked for; list only further identifiers.")
		case !identifierName.MatchString(id):
			d.errorAt(ranges[i], "Invalid identifier",
				`An identifier is a lowercase name of letters, digits and '_', such as "phone", "user_id" or "customer_number".`)
		case slices.Contains(t.Identifiers, id):
			d.errorAt(ranges[i], "Duplicate identifier", "%q is listed twice.", id)
		default:
			t.Identifiers = append(t.Identifiers, id)
		}
	}
	return t
}

// optionalCount decodes a whole number within [lo, hi] into dst when the
// attribute is present, leaving the default otherwise.
func (d *decoder) optionalCount(a *hcl.Attribute, dst *int, lo, hi int) {
	if a == nil {
		return
	}
	if n, ok := d.integer(a, lo, hi); ok {
		*dst = n
	}
}

// checkPrivacyCenter checks what the block needs from the rest of the
// file: an enabled privacy center mails its verification links.
func (d *decoder) checkPrivacyCenter(cfg *Config) {
	pc := cfg.PrivacyCenter
	if pc == nil || !pc.Enabled || cfg.SMTP != nil {
		return
	}
	d.errorAt(pc.DeclRange, "Privacy center without smtp block",
		"The privacy center emails subjects their verification links and codes: add an smtp block, or set enabled = false.")
}
