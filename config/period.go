package config

import (
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// monthBound is how long a calendar month can be, for a Duration that must
// hold a period given in months.
const monthBound = 31 * 24 * time.Hour

// period decodes attr as a legal period: a duration ("45d") or a number of
// calendar months ("1mo", "3mo"), as GDPR counts. months is 0 for a
// duration; for months the Duration is an upper bound (31 days a month).
func (d *decoder) period(attr *hcl.Attribute, def time.Duration) (Duration, int) {
	if attr == nil {
		return Duration{Duration: def}, 0
	}
	s, _, ok := d.str(attr)
	if !ok {
		return Duration{Duration: def, Range: attr.Expr.Range()}, 0
	}
	if n, isMonths := strings.CutSuffix(strings.TrimSpace(s), "mo"); isMonths {
		m, err := strconv.Atoi(n)
		if err != nil || m < 1 || m > 120 {
			d.errorAt(attr.Expr.Range(), "Invalid duration",
				`A number of calendar months is a whole number from 1 to 120 followed by "mo", such as "1mo". %s`, durationHelp)
			return Duration{Duration: def, Range: attr.Expr.Range()}, 0
		}
		return Duration{Duration: time.Duration(m) * monthBound, Range: attr.Expr.Range()}, m
	}
	return d.duration(attr, def, true), 0
}
