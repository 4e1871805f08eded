package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Flow-control defaults. A hanging third party holds at most
// DefaultConcurrency of the daemon's workers (10), for at most
// DefaultCallTimeout a call, so the other integrations keep running.
const (
	DefaultConcurrency = 4
	DefaultCallTimeout = 60 * time.Second
)

// Upper bounds that catch typos rather than express policy.
const (
	maxConcurrency  = 1000
	maxRateRequests = 1_000_000
	maxRatePer      = 24 * time.Hour
	maxCallTimeout  = 24 * time.Hour
)

// Flow is an integration's flow control: limits on the calls made to its
// third party, shared by every daemon on the same Redis.
type Flow struct {
	// Concurrency is how many calls may be in flight at once (default 4).
	Concurrency int
	// CallTimeout bounds one call: Access, Delete or a poll (default 60s).
	CallTimeout Duration
	// RateLimit, when set, bounds how many calls start per period.
	RateLimit *RateLimit
}

// RateLimit is a rate_limit block: at most Requests calls start in any
// window of length Per, evenly spaced.
type RateLimit struct {
	Requests  int
	Per       Duration
	DeclRange hcl.Range
}

var rateLimitSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "requests", Required: true},
		{Name: "per", Required: true},
	},
}

// flow decodes the flow-control arguments of an integration block
// (concurrency, call_timeout) and its rate_limit blocks.
func (d *decoder) flow(attrs hcl.Attributes, blocks hcl.Blocks) Flow {
	f := Flow{Concurrency: DefaultConcurrency}
	if a := attrs["concurrency"]; a != nil {
		if n, ok := d.integer(a, 1, maxConcurrency); ok {
			f.Concurrency = n
		}
	}
	f.CallTimeout = d.duration(attrs["call_timeout"], DefaultCallTimeout, true)
	if f.CallTimeout.Duration > maxCallTimeout {
		d.errorAt(f.CallTimeout.Range, "Call timeout too long",
			"call_timeout must be at most %s; a longer job belongs in an asynchronous connector that the daemon polls.", maxCallTimeout)
	}
	for i, blk := range blocks {
		if i > 0 {
			d.errorAt(blk.DefRange, "Duplicate rate_limit block",
				"A rate_limit block was already declared at %s.", position(blocks[0].DefRange))
			continue
		}
		f.RateLimit = d.rateLimit(blk)
	}
	return f
}

func (d *decoder) rateLimit(blk *hcl.Block) *RateLimit {
	content, diags := blk.Body.Content(rateLimitSchema)
	d.add(diags...)
	r := &RateLimit{DeclRange: blk.DefRange}
	if a := content.Attributes["requests"]; a != nil {
		if n, ok := d.integer(a, 1, maxRateRequests); ok {
			r.Requests = n
		}
	}
	if a := content.Attributes["per"]; a != nil {
		r.Per = d.duration(a, 0, true)
		if r.Per.Duration > maxRatePer {
			d.errorAt(r.Per.Range, "Rate period too long", "per must be at most %s.", maxRatePer)
		}
	}
	if r.Requests == 0 || r.Per.Duration <= 0 || r.Per.Duration > maxRatePer {
		return nil
	}
	return r
}
