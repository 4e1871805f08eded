package config

import (
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/hashicorp/hcl/v2"
)

// Duration is a duration read from the configuration, with the range of the
// expression it came from so that later checks can point at it. Range is
// zero for a default.
type Duration struct {
	Duration time.Duration
	Range    hcl.Range
}

// String returns the duration in Go's notation ("24h0m0s").
func (d Duration) String() string { return d.Duration.String() }

// durationHelp ends every duration diagnostic. It never repeats the value,
// which may be a secret.
const durationHelp = `A duration is a number with a unit of s, m, h or d, such as "90s", "15m", "24h" or "14d".`

// parseDuration reads s with sdk.ParseDuration, the same parser connectors
// use. On failure it returns a summary and detail that do not quote s.
func parseDuration(s string) (time.Duration, string, string) {
	if strings.HasPrefix(strings.TrimSpace(s), "-") {
		return 0, "Negative duration", "A duration must not be negative. " + durationHelp
	}
	d, err := sdk.ParseDuration(s)
	if err != nil {
		return 0, "Invalid duration", durationHelp
	}
	return d, "", ""
}

// duration decodes attr as a duration, or returns def with a zero range
// when attr is nil. When positive is set, zero is refused too.
func (d *decoder) duration(attr *hcl.Attribute, def time.Duration, positive bool) Duration {
	if attr == nil {
		return Duration{Duration: def}
	}
	s, _, ok := d.str(attr)
	if !ok {
		return Duration{Duration: def, Range: attr.Expr.Range()}
	}
	dur, summary, detail := parseDuration(s)
	switch {
	case summary != "":
		d.errorAt(attr.Expr.Range(), summary, "%s", detail)
		return Duration{Duration: def, Range: attr.Expr.Range()}
	case positive && dur == 0:
		d.errorAt(attr.Expr.Range(), "Invalid duration", "The argument %q must be longer than zero.", attr.Name)
		return Duration{Duration: def, Range: attr.Expr.Range()}
	}
	return Duration{Duration: dur, Range: attr.Expr.Range()}
}
