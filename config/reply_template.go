package config

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
)

var replyTemplateSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "subject", Required: true},
		{Name: "body", Required: true},
	},
}

// replyTemplate decodes a reply_template block; nil when its label is not
// a request type or "rejected".
func (d *decoder) replyTemplate(blk *hcl.Block) *ReplyTemplate {
	name := blk.Labels[0]
	content, diags := blk.Body.Content(replyTemplateSchema)
	d.add(diags...)
	t := &ReplyTemplate{Name: name, DeclRange: blk.DefRange}
	t.Subject = d.nonEmptyString(content.Attributes["subject"])
	if a := content.Attributes["body"]; a != nil {
		t.Body, _, _ = d.str(a)
	}
	if !slices.Contains(requestTypeNames, name) && name != RejectedTemplate {
		d.errorAt(blk.LabelRanges[0], "Unknown reply template",
			"%q is neither a request type nor %q; use %s.", name, RejectedTemplate,
			quotedList(append(slices.Clone(requestTypeNames), RejectedTemplate)))
		return nil
	}
	return t
}
