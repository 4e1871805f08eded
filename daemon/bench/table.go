package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Unit says how a figure is printed.
type Unit int

// The units of the table's figures.
const (
	// PerSecond is a rate.
	PerSecond Unit = iota
	// Seconds is a duration in seconds.
	Seconds
	// Bytes is a size.
	Bytes
	// Percent is a share of one CPU core, in percent.
	Percent
)

// format prints v in unit u.
func (u Unit) format(v float64) string {
	switch u {
	case PerSecond:
		return fmt.Sprintf("%.0f/s", v)
	case Seconds:
		return time.Duration(v * float64(time.Second)).Round(roundTo(v)).String()
	case Bytes:
		switch {
		case v >= 1<<20:
			return fmt.Sprintf("%.1f MiB", v/(1<<20))
		case v >= 1<<10:
			return fmt.Sprintf("%.2f KiB", v/(1<<10))
		}
		return fmt.Sprintf("%.0f B", v)
	case Percent:
		return fmt.Sprintf("%.2f%%", v)
	}
	return fmt.Sprint(v)
}

// roundTo keeps about three significant digits of a duration in seconds.
func roundTo(secs float64) time.Duration {
	switch {
	case secs >= 1:
		return time.Millisecond
	case secs >= 1e-3:
		return time.Microsecond
	}
	return time.Nanosecond
}

// Goal is what a row must meet to PASS.
type Goal struct {
	// Text is the goal as the table shows it.
	Text string
	// Met reports whether a row's figure, or its ratio to the anchor,
	// meets the goal.
	Met func(value, ratio float64) bool
}

// RatioAtLeast wants dsrhost/anchor >= r.
func RatioAtLeast(r float64) *Goal {
	return &Goal{Text: fmt.Sprintf("ratio ≥ %g", r), Met: func(_, ratio float64) bool { return ratio >= r }}
}

// RatioAtMost wants dsrhost/anchor <= r.
func RatioAtMost(r float64) *Goal {
	return &Goal{Text: fmt.Sprintf("ratio ≤ %g", r), Met: func(_, ratio float64) bool { return ratio <= r }}
}

// AtMost wants dsrhost's figure itself to be at most limit (in the row's
// unit).
func AtMost(limit float64, u Unit) *Goal {
	return &Goal{Text: "≤ " + u.format(limit), Met: func(v, _ float64) bool { return v <= limit }}
}

// Row is one line of the table: dsrhost's figure beside its anchor's.
type Row struct {
	// Item is the goal's number in the issue (1-5).
	Item int
	// Measure says what was measured.
	Measure string
	Unit    Unit
	Value   float64
	// Anchor names what dsrhost is compared with; AnchorValue is its
	// figure from the same run, in the same unit.
	Anchor      string
	AnchorValue float64
	// Goal is nil for a row reported without one.
	Goal *Goal
	// Note qualifies the row (how it was measured, a fallback taken).
	Note string
}

// Ratio is dsrhost's figure over the anchor's; 0 without an anchor.
func (r Row) Ratio() float64 {
	if r.Anchor == "" || r.AnchorValue == 0 {
		return 0
	}
	return r.Value / r.AnchorValue
}

// Result is PASS, MISS, or "-" without a goal.
func (r Row) Result() string {
	if r.Goal == nil {
		return "-"
	}
	if r.Goal.Met(r.Value, r.Ratio()) {
		return "PASS"
	}
	return "MISS"
}

// Table is the benchmark's report.
type Table struct {
	Title string
	Rows  []Row
}

// Write prints the table aligned in columns, rows in the order of the
// issue's goals, notes below it.
func (t *Table) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n\n", t.Title)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tmeasure\tdsrhost\tanchor\tanchor figure\tratio\tgoal\tresult\t")
	rows := slices.Clone(t.Rows)
	slices.SortStableFunc(rows, func(a, b Row) int { return a.Item - b.Item })
	var notes []string
	for _, r := range rows {
		goal := "-"
		if r.Goal != nil {
			goal = r.Goal.Text
		}
		measure := r.Measure
		if r.Note != "" {
			notes = append(notes, r.Note)
			measure += fmt.Sprintf(" [%d]", len(notes))
		}
		anchor, figure, ratio := "-", "-", "-"
		if r.Anchor != "" {
			anchor, figure, ratio = r.Anchor, r.Unit.format(r.AnchorValue), fmt.Sprintf("%.3f", r.Ratio())
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			r.Item, measure, r.Unit.format(r.Value), anchor, figure, ratio, goal, r.Result())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(notes) > 0 {
		b.WriteString("\n")
		for i, n := range notes {
			fmt.Fprintf(&b, "[%d] %s\n", i+1, n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
