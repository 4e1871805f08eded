package config

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
)

var manualSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "category"},
		{Name: "request_types", Required: true},
		{Name: "instructions"},
	},
}

func (d *decoder) manual(blk *hcl.Block) *Manual {
	m := &Manual{Name: blk.Labels[0], DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(manualSchema)
	d.add(diags...)
	attrs := content.Attributes

	if a := attrs["category"]; a != nil {
		m.Category, _, _ = d.str(a)
	}
	if a := attrs["instructions"]; a != nil {
		m.Instructions, _, _ = d.str(a)
	}
	if a := attrs["request_types"]; a != nil {
		list, ranges, secret, ok := d.stringList(a)
		if ok && len(list) == 0 {
			d.errorAt(a.Expr.Range(), "No request types",
				"A manual data source needs at least one request type, else it never appears on a request.")
		}
		for i, t := range list {
			if slices.Contains(requestTypeNames, t) {
				m.RequestTypes = append(m.RequestTypes, t)
				continue
			}
			d.errorAt(ranges[i], "Unknown request type",
				"%s is not a request type; use %s.", describe(t, secret), quotedList(requestTypeNames))
		}
	}
	return m
}
