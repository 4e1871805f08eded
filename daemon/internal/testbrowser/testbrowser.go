// Package testbrowser starts a headless Chromium for tests of the daemon's
// pages, with JavaScript of the page turned off, as the pages must work
// without it.
package testbrowser

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium (Debian's chromium package), skipping the test
// when there is none, unless DSRHOST_REQUIRE_BROWSER is set, as CI sets it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("DSRHOST_REQUIRE_BROWSER") != "" {
		t.Fatal("DSRHOST_REQUIRE_BROWSER is set but no chromium is installed (apt-get install -y chromium chromium-driver)")
	}
	t.Skip("no chromium installed (apt-get install -y chromium chromium-driver); set DSRHOST_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// New starts a headless Chromium with a fresh profile for the test and
// returns a tab's context; everything stops at the test's end.
func New(t *testing.T) context.Context {
	t.Helper()
	bin := chromium(t)
	dir, err := os.MkdirTemp("", "dsrhost-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Chromium's children may still write there a moment after it
		// exits; removing fails until they are done.
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// The pages must work without JavaScript: run with it off.
		chromedp.Flag("blink-settings", "scriptEnabled=false"),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	return ctx
}
