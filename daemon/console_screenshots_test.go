package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testbrowser"
)

// screenshotWidths are the widths `make screenshots` shows each page at.
var screenshotWidths = []struct {
	name          string
	width, height int64
	opts          []chromedp.EmulateViewportOption
}{
	{"desktop", 1280, 800, nil},
	{"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}},
}

// TestConsoleScreenshots is `make screenshots`: a real daemon with a mixed
// request (Complete, Error with remediation, Processing, a manual
// checklist) among others, and full-page PNGs of the console's pages at
// desktop and phone widths, written to $DSRHOST_SCREENSHOTS for a
// reviewer to look at. It fails when a page is wider than the phone's
// screen (a table overflowing). Without the variable it is skipped.
func TestConsoleScreenshots(t *testing.T) {
	dir := os.Getenv("DSRHOST_SCREENSHOTS")
	if dir == "" {
		t.Skip("set DSRHOST_SCREENSHOTS to a directory (make screenshots)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := newCluster(t)
	addr := freeAddr(t)
	path := consoleConfig(t, c, addr)
	// An asynchronous integration polled hourly stays Processing.
	slow := fmt.Sprintf(`
plugin "test-warehouse" {
  command = %q
  args    = ["-type", "async"]
}
integration "warehouse" {
  plugin        = "test-warehouse"
  category      = "Data warehouse"
  poll_interval = "1h"
  settings {
    token = "t"
  }
}
`, filepath.Join(c.bin, "dsrhost-plugin-test"))
	appendFile(t, path, slow)
	d := c.startDaemon(path)
	testbin.WaitServing(t, addr, d.log)

	for _, r := range []struct{ typ, email string }{
		{"deletion", "bob@example.com"}, {"do_not_mail", "carol@example.com"}, {"right_to_edit", "dave@example.com"}, {"access", "erin@example.com"},
	} {
		createRequest(t, c.bin, addr, r.typ, r.email)
	}
	id := createRequest(t, c.bin, addr, "access", "ada.lovelace@example.com")
	cli(t, c.bin, addr, "request", "approve", id)
	waitLabels(t, addr, id, map[string]string{"crm": "Complete", "flaky-a": "Error", "flaky-b": "Error", "warehouse": "Processing"})

	b := &tab{t: t, ctx: testbrowser.New(t), base: "http://" + addr}
	b.signIn(opsToken)
	pages := []struct{ name, path string }{
		{"requests", "/ui/"},
		{"request", "/ui/requests/" + id},
		{"inventory", "/ui/integrations"},
	}
	// The reports page, where this daemon has one.
	if resp, err := signIn(t, b.base, opsToken).Get(b.base + "/ui/reports"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			pages = append(pages, struct{ name, path string }{"reports", "/ui/reports"})
		}
	}
	for _, w := range screenshotWidths {
		b.run("viewport "+w.name, chromedp.EmulateViewport(w.width, w.height, w.opts...))
		for _, p := range pages {
			b.open(b.base + p.path)
			png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", p.name, err)
			}
			file := filepath.Join(dir, p.name+"-"+w.name+".png")
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			fmt.Println(file)
			scroll, err := chromedp.Run(b.ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
			if err != nil {
				t.Fatalf("page width: %v", err)
			}
			if scroll > w.width {
				t.Errorf("%s at %s width: the page is %d px wide, wider than the %d px screen", p.name, w.name, scroll, w.width)
			}
		}
	}
}

// waitLabels waits until each named integration's API label starts with
// its prefix.
func waitLabels(t *testing.T, addr, id string, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var got struct {
			Request struct {
				Integrations []struct{ Name, Label string } `json:"integrations"`
			} `json:"request"`
		}
		call(t, addr, opsToken, "dsrhost.admin.v1.RequestService/GetRequest", map[string]string{"id": id}, &got)
		ok := 0
		for _, it := range got.Request.Integrations {
			if p, named := want[it.Name]; named && strings.HasPrefix(it.Label, p) {
				ok++
			}
		}
		if ok == len(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("labels %+v, want %v", got.Request.Integrations, want)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
