// Package testbrowser starts a headless Chromium for tests of the daemon's
// pages, with JavaScript of the page turned off, as the pages must work
// without it. A missing Chromium fails the test (see testprereq).
package testbrowser

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dsrhost/dsrhost/internal/testprereq"
)

// chromium finds a Chromium (Debian's chromium package), failing the test
// when there is none, or under -short skipping it (see testprereq).
func chromium(t *testing.T) string {
	t.Helper()
	return testprereq.Command(t, "chromium", "chromium", "chromium-browser", "google-chrome")
}

// New starts a headless Chromium with a fresh profile for the test and
// returns a tab's context; everything stops at the test's end.
func New(t *testing.T) context.Context {
	t.Helper()
	return start(t, false, 3*time.Minute)
}

// NewScripted is New with the pages' JavaScript on, for what only scripts
// do (the console's live updates), and a context lasting within.
func NewScripted(t *testing.T, within time.Duration) context.Context {
	t.Helper()
	return start(t, true, within)
}

func start(t *testing.T, script bool, within time.Duration) context.Context {
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
	)
	if !script {
		// The pages must work without JavaScript: run with it off.
		opts = append(opts, chromedp.Flag("blink-settings", "scriptEnabled=false"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), within)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	return ctx
}
