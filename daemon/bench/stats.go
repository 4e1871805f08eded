package bench

import (
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0-100) of samples by the
// nearest-rank method; 0 for no samples.
func Percentile(samples []time.Duration, p float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	rank := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// Median is the 50th percentile.
func Median(samples []time.Duration) time.Duration { return Percentile(samples, 50) }
