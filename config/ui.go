package config

import "github.com/hashicorp/hcl/v2"

// UI is the ui block: the operator console served at /ui/ on
// server.listen. A file without the block serves it, as Vault and Nomad
// serve theirs.
type UI struct {
	// Enabled serves the console (default true).
	Enabled   bool
	DeclRange hcl.Range
}

// UIEnabled reports whether the console is served: yes unless a ui block
// turns it off.
func (c *Config) UIEnabled() bool { return c.UI == nil || c.UI.Enabled }

var uiSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "enabled"}},
}

func (d *decoder) ui(blk *hcl.Block) *UI {
	u := &UI{Enabled: true, DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(uiSchema)
	d.add(diags...)
	if a := content.Attributes["enabled"]; a != nil {
		if v, ok := d.boolean(a); ok {
			u.Enabled = v
		}
	}
	return u
}
