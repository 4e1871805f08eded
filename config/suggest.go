package config

import (
	"fmt"

	"github.com/agext/levenshtein"
)

// didYouMean returns " Did you mean "x"?" for the candidate closest to a
// mistyped name, or "" when none is close: at most a third of the name's
// length in edits, and at least two (a swapped pair of letters).
func didYouMean(name string, candidates []string) string {
	limit := max(2, len(name)/3)
	best, bestDist := "", limit+1
	for _, c := range candidates {
		d := levenshtein.Distance(name, c, nil)
		if d == 0 || d > limit {
			continue
		}
		if d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}
