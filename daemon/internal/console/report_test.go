package console_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/console"
	"github.com/dsrhost/dsrhost/daemon/internal/report"
	"github.com/dsrhost/dsrhost/daemon/internal/report/reporttest"
	"github.com/dsrhost/dsrhost/daemon/internal/testbrowser"
)

// reportConsole serves the console over a reporttest world whose requests
// are seeded; its clock stands at 2026-01-01, so last year is 2025.
func reportConsole(t *testing.T) (*reporttest.World, string) {
	t.Helper()
	w := reporttest.Start(t)
	w.Seed(t)
	tokens, err := auth.NewTokens(map[string]*config.AdminToken{
		"ops":     {Name: "ops", SHA256: auth.Hash(opsToken), Role: config.RoleOperator},
		"auditor": {Name: "auditor", SHA256: auth.Hash(viewerToken), Role: config.RoleViewer},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := console.New(console.Options{Engine: w.Engine, Tokens: tokens, Redis: w.RDB, Keys: w.Keys, Prefix: "rep",
		Clock: w.Clock.Now, Logger: hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: os.Stderr})})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Path, c.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return w, srv.URL
}

// wantText is what a page's table body reads for rows, whitespace folded.
func wantText(rows []report.Row) string {
	var parts []string
	for _, r := range rows {
		parts = append(parts, string(r.Type), report.Kind(r.Type))
		parts = append(parts, report.Cells(r)...)
	}
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

// TestReportPage: a viewer signs in, opens Reports from the navigation,
// reads last year's metrics (the default range) exactly as the engine
// computes them, downloads the same numbers as CSV (no subject, no
// request id), and is told what to fix in a bad range.
func TestReportPage(t *testing.T) {
	ctx := testbrowser.New(t)
	_, base := reportConsole(t)
	want := reporttest.Want()

	type css = chromedp.CSS
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/signin"),
		chromedp.WaitVisible(css("#token")),
		chromedp.SendKeys(css("#token"), viewerToken),
		chromedp.Click(css("#signin")),
		chromedp.WaitVisible(css("#nav-reports")),
		chromedp.Click(css("#nav-reports")),
		chromedp.WaitVisible(css("#report")),
	)
	if err != nil {
		t.Fatal(err)
	}
	read := func(a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	from, to := read(chromedp.Value(css("#report-from"))), read(chromedp.Value(css("#report-to")))
	body := read(chromedp.Text(css("#report tbody")))
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(css("#report-csv"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	csvHref := href.Value
	if from != "2025-01-01" || to != "2025-12-31" {
		t.Fatalf("default range %s..%s, want last calendar year 2025-01-01..2025-12-31", from, to)
	}
	if got := strings.Join(strings.Fields(body), " "); got != wantText(want) {
		t.Fatalf("page table:\n got %s\nwant %s", got, wantText(want))
	}
	if csvHref != "/ui/reports.csv?from=2025-01-01&to=2025-12-31" {
		t.Fatalf("CSV link %q", csvHref)
	}

	t.Run("csv", func(t *testing.T) {
		cl := signedIn(t, base, viewerToken)
		resp, err := cl.Get(base + csvHref)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		var wantCSV bytes.Buffer
		if err := report.WriteCSV(&wantCSV, want); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV answer %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if diff := cmp.Diff(wantCSV.String(), string(got)); diff != "" {
			t.Fatalf("CSV (-want +got):\n%s", diff)
		}
		for _, e := range reporttest.Emails {
			if strings.Contains(string(got), e) {
				t.Fatalf("CSV holds %s", e)
			}
		}
		if regexp.MustCompile(`[0-7][0-9A-HJKMNP-TV-Z]{25}`).Match(got) {
			t.Fatalf("CSV holds a request id:\n%s", got)
		}
	})

	t.Run("bad range", func(t *testing.T) {
		for _, tc := range []struct{ from, to, want string }{
			{"2025-12-01", "2025-01-01", "Check the dates: to: must not be before from (2025-12-01)."},
			{"2025-02-30", "2025-12-31", `Check the dates: from: "2025-02-30" is not a date like 2026-01-01.`},
			{"2024-01-01", "2025-12-31", "Check the dates: to: a report covers at most 366 days"},
		} {
			q := url.Values{"from": {tc.from}, "to": {tc.to}}.Encode()
			if err := chromedp.Do(ctx, chromedp.Navigate(base+"/ui/reports?"+q), chromedp.WaitVisible(css("#report-problem"))); err != nil {
				t.Fatal(err)
			}
			problem := read(chromedp.Text(css("#report-problem")))
			if !strings.HasPrefix(problem, tc.want) {
				t.Errorf("%s..%s: %q, want %q", tc.from, tc.to, problem, tc.want)
			}
		}
		cl := signedIn(t, base, viewerToken)
		resp, err := cl.Get(base + "/ui/reports.csv?from=2025-12-01&to=2025-01-01")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("CSV of a reversed range: %d, want 400", resp.StatusCode)
		}
	})

	t.Run("signed out", func(t *testing.T) {
		cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := cl.Get(base + csvHref)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("the CSV was served without a session")
		}
	})
}

// signedIn is an HTTP client holding a console session for token.
func signedIn(t *testing.T, base, token string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := cl.PostForm(base+"/ui/signin", url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return cl
}
