package config

import (
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
)

const defaultDeadline = 45 * 24 * time.Hour

var requestTypeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "deadline"},
		{Name: "auto_approve"},
		{Name: "require_deletion_approval"},
		{Name: "extension"},
		{Name: "clock_starts"},
		{Name: "acknowledge_within"},
	},
}

// When a request's deadline starts counting.
const (
	// ClockAtReceipt counts from when the request arrived (the default).
	ClockAtReceipt = "receipt"
	// ClockAtVerification counts from when the subject's identity was
	// confirmed (UK GDPR since 2026).
	ClockAtVerification = "verification"
)

func defaultRequestType(name string) *RequestType {
	return &RequestType{Name: name, Deadline: Duration{Duration: defaultDeadline}}
}

// requestType decodes a request_type block; nil when its label is not a
// request type.
func (d *decoder) requestType(blk *hcl.Block) *RequestType {
	name := blk.Labels[0]
	content, diags := blk.Body.Content(requestTypeSchema)
	d.add(diags...)
	known := slices.Contains(requestTypeNames, name)
	if !known {
		d.errorAt(blk.LabelRanges[0], "Unknown request type",
			"%q is not a request type; use %s.", name, quotedList(requestTypeNames))
	}

	rt := defaultRequestType(name)
	rt.DeclRange = blk.DefRange
	rt.Deadline, rt.DeadlineMonths = d.period(content.Attributes["deadline"], defaultDeadline)
	if a := content.Attributes["extension"]; a != nil {
		rt.Extension, rt.ExtensionMonths = d.period(a, 0)
	}
	if a := content.Attributes["clock_starts"]; a != nil {
		if v, secret, ok := d.str(a); ok {
			if v == ClockAtReceipt || v == ClockAtVerification {
				rt.ClockStartsAtVerification = v == ClockAtVerification
			} else {
				d.errorAt(a.Expr.Range(), "Invalid clock start", `clock_starts %s is not "receipt" or "verification".`, describe(v, secret))
			}
		}
	}
	if a := content.Attributes["acknowledge_within"]; a != nil {
		rt.AcknowledgeWithin = d.duration(a, 0, true)
	}
	if a := content.Attributes["auto_approve"]; a != nil {
		rt.AutoApprove, _ = d.boolean(a)
	}
	if a := content.Attributes["require_deletion_approval"]; a != nil {
		v, ok := d.boolean(a)
		rt.RequireDeletionApproval = v
		if ok && v && known && name != "deletion" {
			d.errorAt(a.Expr.Range(), "Deletion approval on a non-deletion type",
				"require_deletion_approval applies only to request_type \"deletion\"; %q requests never reach Pending Delete.", name)
		}
	}
	if !known {
		return nil
	}
	return rt
}
