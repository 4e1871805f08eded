package report

import (
	"fmt"
	"time"
)

// MaxRange is the longest range one report covers: a (leap) year, the
// period §7102 asks for, which also bounds what one report reads.
const MaxRange = 366 * 24 * time.Hour

// DateLayout is how a report's range is written by people: calendar days.
const DateLayout = "2006-01-02"

// ParseDates reads an inclusive range of calendar days (UTC), as the CLI
// and the console take it, and returns it as [from, to): to is the start
// of the day after the last. Errors name the field to fix.
func ParseDates(fromDay, toDay string) (from, to time.Time, err error) {
	from, err = time.Parse(DateLayout, fromDay)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("from: %q is not a date like 2026-01-01", fromDay)
	}
	last, err := time.Parse(DateLayout, toDay)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("to: %q is not a date like 2026-12-31", toDay)
	}
	to = last.AddDate(0, 0, 1)
	if err := CheckRange(from, to); err != nil {
		return time.Time{}, time.Time{}, err
	}
	return from, to, nil
}

// CheckRange refuses an empty, reversed or too long range [from, to).
func CheckRange(from, to time.Time) error {
	if !from.Before(to) {
		return fmt.Errorf("to: must not be before from (%s)", from.Format(DateLayout))
	}
	if to.Sub(from) > MaxRange {
		return fmt.Errorf("to: a report covers at most 366 days; shorten the range from %s", from.Format(DateLayout))
	}
	return nil
}

// LastYear is the default range: the last full calendar year before now,
// as inclusive days.
func LastYear(now time.Time) (fromDay, toDay string) {
	y := now.UTC().Year() - 1
	return fmt.Sprintf("%04d-01-01", y), fmt.Sprintf("%04d-12-31", y)
}
