package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CSVHeader is the first line of a report's CSV.
var CSVHeader = []string{
	"request_type", "kind", "received", "complied_in_whole", "complied_in_part", "denied", "open",
	"responded", "median_days_to_respond", "mean_days_to_respond",
}

// WriteCSV writes rows as CSV: aggregate counts only, never a subject or
// a request id. A median or mean with no closed request is left empty.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	for _, r := range rows {
		if err := cw.Write(append([]string{string(r.Type), Kind(r.Type)}, Cells(r)...)); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// Cells are a row's numbers as printed: counts, then the median and mean
// days ("" when nothing closed).
func Cells(r Row) []string {
	out := []string{
		strconv.Itoa(r.Received), strconv.Itoa(r.Whole), strconv.Itoa(r.Part),
		strconv.Itoa(r.Denied), strconv.Itoa(r.Open), strconv.Itoa(r.Responded), "", "",
	}
	if r.Responded > 0 {
		out[6] = Days1(r.MedianDays)
		out[7] = Days1(r.MeanDays)
	}
	return out
}

// Days1 prints a number of days rounded to one decimal, without a
// trailing ".0": 3, 3.5, 4.3.
func Days1(d float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(d, 'f', 1, 64), ".0")
}
