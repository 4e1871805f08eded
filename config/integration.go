package config

import (
	"math"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Defaults of an integration, from the product contract.
const (
	defaultRetryInterval = 24 * time.Hour
	defaultMaxAttempts   = 30
	defaultPollInterval  = time.Hour
	defaultMaxWait       = 4380 * time.Hour
)

var integrationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "plugin", Required: true},
		{Name: "category"},
		{Name: "retry_interval"},
		{Name: "max_attempts"},
		{Name: "poll_interval"},
		{Name: "max_wait"},
		{Name: "deletion_behavior"},
		{Name: "depends_on"},
		{Name: "concurrency"},
		{Name: "call_timeout"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "settings"}, {Type: "rate_limit"}},
}

// integrationDecl is an integration with what the cross-reference checks
// need to point at.
type integrationDecl struct {
	*Integration
	pluginSecret    bool
	dependsOnRanges []hcl.Range
	dependsOnSecret bool
}

func (d *decoder) integration(blk *hcl.Block) *integrationDecl {
	in := &integrationDecl{Integration: &Integration{
		Name:             blk.Labels[0],
		MaxAttempts:      defaultMaxAttempts,
		DeletionBehavior: DeletionWaitForCompletion,
		DeclRange:        blk.DefRange,
	}}
	content, diags := blk.Body.Content(integrationSchema)
	d.add(diags...)
	attrs := content.Attributes

	if a := attrs["plugin"]; a != nil {
		in.PluginRange = a.Expr.Range()
		if v, secret, ok := d.str(a); ok {
			in.Plugin, in.pluginSecret = v, secret
		}
	}
	if a := attrs["category"]; a != nil {
		in.Category, _, _ = d.str(a)
	}
	in.RetryInterval = d.duration(attrs["retry_interval"], defaultRetryInterval, true)
	if a := attrs["max_attempts"]; a != nil {
		if n, ok := d.integer(a, 1, math.MaxInt32); ok {
			in.MaxAttempts = n
		}
	}
	in.PollInterval = d.duration(attrs["poll_interval"], defaultPollInterval, true)
	in.MaxWait = d.duration(attrs["max_wait"], defaultMaxWait, true)
	if in.PollInterval.Duration > in.MaxWait.Duration {
		rng := in.PollInterval.Range
		if rng == (hcl.Range{}) {
			rng = in.MaxWait.Range
		}
		d.errorAt(rng, "Poll interval longer than max_wait",
			"poll_interval (%s) is longer than max_wait (%s), so an asynchronous job would never be polled.", in.PollInterval, in.MaxWait)
	}
	if a := attrs["deletion_behavior"]; a != nil {
		if v, secret, ok := d.str(a); ok {
			switch b := DeletionBehavior(v); b {
			case DeletionWaitForCompletion, DeletionCompleteOnSubmit:
				in.DeletionBehavior = b
			default:
				d.errorAt(a.Expr.Range(), "Invalid deletion behavior",
					`deletion_behavior %s is not "wait_for_completion" or "complete_on_submit".`, describe(v, secret))
			}
		}
	}
	if a := attrs["depends_on"]; a != nil {
		in.DependsOn, in.dependsOnRanges, in.dependsOnSecret, _ = d.stringList(a)
	}

	blocks := content.Blocks.ByType()
	in.Flow = d.flow(attrs, blocks["rate_limit"])
	for i, sb := range blocks["settings"] {
		if i > 0 {
			d.errorAt(sb.DefRange, "Duplicate settings block",
				"A settings block was already declared at %s.", position(blocks["settings"][0].DefRange))
			continue
		}
		in.Settings = sb.Body
	}
	if in.Settings == nil {
		// An empty body whose missing-item range is the integration's
		// header, so a required setting reports there.
		in.Settings = &hclsyntax.Body{SrcRange: blk.DefRange, EndRange: blk.DefRange}
	}
	return in
}
