package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/report"
)

// reportView is the reports page: the range as typed, what to fix in it,
// and the rows once it is good.
type reportView struct {
	From, To string
	Problem  string
	Rows     []reportRow
	CSV      string
}

// reportRow is a row with its cells printed as the CSV prints them.
type reportRow struct {
	Type, Kind string
	Cells      []string
}

// reportRange reads ?from=&to= (inclusive days, UTC), defaulting to last
// calendar year by the console's clock.
func (c *Console) reportRange(r *http.Request) (fromDay, toDay string) {
	fromDay, toDay = report.LastYear(c.now())
	if v := r.URL.Query().Get("from"); v != "" {
		fromDay = v
	}
	if v := r.URL.Query().Get("to"); v != "" {
		toDay = v
	}
	return fromDay, toDay
}

// reportRows computes the rows for the range, or says what to fix in it
// (problem) or what went wrong (err).
func (c *Console) reportRows(r *http.Request, fromDay, toDay string) (rows []report.Row, problem string, err error) {
	rep, ok := c.eng.(api.Reporter)
	if !ok {
		return nil, "", errors.New("this daemon keeps no request report")
	}
	from, to, perr := report.ParseDates(fromDay, toDay)
	if perr != nil {
		return nil, "Check the dates: " + perr.Error() + ".", nil
	}
	rows, err = rep.Report(r.Context(), from, to)
	return rows, "", err
}

// reportPage shows the §7102 metrics for a range, with a CSV link.
func (c *Console) reportPage(w http.ResponseWriter, r *http.Request, s *session) {
	fromDay, toDay := c.reportRange(r)
	v := reportView{From: fromDay, To: toDay}
	rows, problem, err := c.reportRows(r, fromDay, toDay)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	status := http.StatusOK
	if problem != "" {
		v.Problem, status = problem, http.StatusBadRequest
	}
	for _, row := range rows {
		v.Rows = append(v.Rows, reportRow{Type: string(row.Type), Kind: report.Kind(row.Type), Cells: report.Cells(row)})
	}
	v.CSV = "/ui/reports.csv?" + url.Values{"from": {fromDay}, "to": {toDay}}.Encode()
	c.render(w, r, s, status, "report", view{Title: "Reports", Data: v})
}

// reportCSV downloads the same rows as CSV: counts only.
func (c *Console) reportCSV(w http.ResponseWriter, r *http.Request, s *session) {
	fromDay, toDay := c.reportRange(r)
	rows, problem, err := c.reportRows(r, fromDay, toDay)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	if problem != "" {
		http.Error(w, problem, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "dsrhost-requests-"+fromDay+"-to-"+toDay+".csv"))
	if err := report.WriteCSV(w, rows); err != nil {
		c.log.Error("console: write report CSV", "error", err)
	}
}
