package config

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Defaults of the product contract.
const (
	defaultListen           = "127.0.0.1:8700"
	defaultResultsRetention = 30 * 24 * time.Hour
)

var rootSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "encryption_key", Required: true},
		{Name: "previous_encryption_keys"},
		{Name: "results_retention"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "server"},
		{Type: "redis"},
		{Type: "admin_token", LabelNames: []string{"name"}},
		{Type: "request_type", LabelNames: []string{"type"}},
		{Type: "plugin", LabelNames: []string{"name"}},
		{Type: "integration", LabelNames: []string{"name"}},
		{Type: "smtp"},
		{Type: "reply_template", LabelNames: []string{"name"}},
		{Type: "manual", LabelNames: []string{"name"}},
		{Type: "privacy_center"},
		{Type: "telemetry"},
		{Type: "ui"},
	},
}

// decodeRoot decodes a whole configuration body into a Config with every
// default filled in, reporting every mistake it finds.
func decodeRoot(filename string, body hcl.Body) (*Config, hcl.Diagnostics) {
	d := &decoder{}
	cfg := &Config{
		Filename:         filename,
		Server:           defaultServer(),
		AdminTokens:      map[string]*AdminToken{},
		ResultsRetention: Duration{Duration: defaultResultsRetention},
		RequestTypes:     map[string]*RequestType{},
		Plugins:          map[string]*Plugin{},
		Integrations:     map[string]*Integration{},
		ReplyTemplates:   map[string]*ReplyTemplate{},
		Manuals:          map[string]*Manual{},
	}
	for _, name := range requestTypeNames {
		cfg.RequestTypes[name] = defaultRequestType(name)
	}

	content, diags := body.Content(rootSchema)
	for _, diag := range diags {
		if diag.Subject == nil {
			// Merged files report a missing required argument without a
			// place; point at the first file, as one file's body does.
			diag.Subject = body.MissingItemRange().Ptr()
		}
	}
	d.add(diags...)

	if a := content.Attributes["encryption_key"]; a != nil {
		cfg.EncryptionKey = d.encryptionKey(a)
	}
	if a := content.Attributes["previous_encryption_keys"]; a != nil {
		cfg.PreviousEncryptionKeys = d.previousEncryptionKeys(a)
	}
	cfg.ResultsRetention = d.duration(content.Attributes["results_retention"], defaultResultsRetention, true)

	var (
		singles      = map[string]*hcl.Block{}
		declared     = map[string]map[string]hcl.Range{} // block type -> label -> header
		tokens       []*AdminToken
		integrations []*integrationDecl
		manuals      []*Manual
	)
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "server", "redis", "smtp", "privacy_center", "telemetry", "ui":
			if prev := singles[blk.Type]; prev != nil {
				d.errorAt(blk.DefRange, fmt.Sprintf("Duplicate %s block", blk.Type),
					"A %s block was already declared at %s.", blk.Type, position(prev.DefRange))
				continue
			}
			singles[blk.Type] = blk
		default:
			if !d.uniqueLabel(declared, blk) {
				continue
			}
		}
		switch blk.Type {
		case "server":
			cfg.Server = d.server(blk)
		case "redis":
			cfg.Redis = d.redis(blk)
		case "smtp":
			cfg.SMTP = d.smtp(blk)
		case "privacy_center":
			cfg.PrivacyCenter = d.privacyCenter(blk)
		case "telemetry":
			cfg.Telemetry = d.telemetry(blk)
		case "ui":
			cfg.UI = d.ui(blk)
		case "admin_token":
			tok := d.adminToken(blk)
			cfg.AdminTokens[tok.Name] = tok
			tokens = append(tokens, tok)
		case "request_type":
			if rt := d.requestType(blk); rt != nil {
				cfg.RequestTypes[rt.Name] = rt
			}
		case "plugin":
			p := d.plugin(blk)
			cfg.Plugins[p.Name] = p
		case "integration":
			in := d.integration(blk)
			cfg.Integrations[in.Name] = in.Integration
			integrations = append(integrations, in)
		case "reply_template":
			if rt := d.replyTemplate(blk); rt != nil {
				cfg.ReplyTemplates[rt.Name] = rt
			}
		case "manual":
			m := d.manual(blk)
			cfg.Manuals[m.Name] = m
			manuals = append(manuals, m)
		}
	}
	if singles["redis"] == nil {
		d.errorAt(body.MissingItemRange(), "Missing redis block",
			"dsrhost keeps its queue and state in Redis: add a redis block with a url, a sentinel block or a cluster block.")
	}

	d.checkTokenHashes(tokens)
	d.resolvePlugins(cfg, integrations)
	d.checkDependencies(cfg, integrations)
	d.checkManualNames(cfg, manuals)
	d.checkPrivacyCenter(cfg)
	return cfg, d.diags
}

// uniqueLabel checks a labelled block's name and reports a second block
// of the same type and name. It returns false for a duplicate, which is
// then not decoded.
func (d *decoder) uniqueLabel(declared map[string]map[string]hcl.Range, blk *hcl.Block) bool {
	if len(blk.Labels) == 0 {
		return false // hcl already reported the missing label
	}
	name := blk.Labels[0]
	seen := declared[blk.Type]
	if seen == nil {
		seen = map[string]hcl.Range{}
		declared[blk.Type] = seen
	}
	if prev, ok := seen[name]; ok {
		d.errorAt(blk.DefRange, fmt.Sprintf("Duplicate %s block", blk.Type),
			"A %s block named %q was already declared at %s; names must be unique.", blk.Type, name, position(prev))
		return false
	}
	seen[name] = blk.DefRange
	switch blk.Type {
	case "admin_token", "plugin", "integration", "manual":
		if !validName.MatchString(name) {
			d.errorAt(blk.LabelRanges[0], "Invalid name",
				"A %s name must start with a letter or digit and hold only letters, digits, '-', '_' and '.'.", blk.Type)
		}
	}
	return true
}

// position renders a range's start as file:line:column.
func position(rng hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", rng.Filename, rng.Start.Line, rng.Start.Column)
}
