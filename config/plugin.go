package config

import (
	"github.com/hashicorp/hcl/v2"
)

var pluginSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "command", Required: true},
		{Name: "args"},
		{Name: "sha256"},
	},
}

func (d *decoder) plugin(blk *hcl.Block) *Plugin {
	p := &Plugin{Name: blk.Labels[0], DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(pluginSchema)
	d.add(diags...)

	p.Command = d.nonEmptyString(content.Attributes["command"])
	if a := content.Attributes["args"]; a != nil {
		p.Args, _, _, _ = d.stringList(a)
	}
	if a := content.Attributes["sha256"]; a != nil {
		if v, _, ok := d.str(a); ok {
			if sum, ok := hexSHA256(v); ok {
				p.SHA256 = sum
			} else {
				d.errorAt(a.Expr.Range(), "Invalid plugin checksum",
					"sha256 must be the plugin binary's SHA-256 as 64 hexadecimal digits, as sha256sum prints it.")
			}
		}
	}
	return p
}
