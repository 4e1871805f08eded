package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tab is a Chromium tab on the console of the daemon at base.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// run does actions, failing the test with what when one fails.
func (b *tab) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a page, again if a navigation still under way (the redirect
// after a form) aborted it.
func (b *tab) open(u string) {
	b.t.Helper()
	var err error
	for range 5 {
		if err = chromedp.Do(b.ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("h1"))); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatalf("open %s: %v", u, err)
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

func (b *tab) value(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read the value of %s: %v", sel, err)
	}
	return s
}

func (b *tab) signIn(token string) {
	b.t.Helper()
	b.run("sign in",
		chromedp.Navigate(b.base+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#who")),
	)
}

// waitFor reloads page u until sel's text satisfies ok.
func (b *tab) waitFor(u, sel string, within time.Duration, ok func(string) bool) string {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for {
		b.open(u)
		got := b.text(sel)
		if ok(got) {
			return got
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s on %s is %q after %s", sel, u, got, within)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// waitHistory reads the open page's history until it shows want, letting
// a form's own navigation land before reloading u.
func (b *tab) waitHistory(u, want string) string {
	b.t.Helper()
	start := time.Now()
	for {
		h, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("#history")))
		if err == nil && strings.Contains(h, want) {
			return h
		}
		if time.Since(start) > 90*time.Second {
			b.t.Fatalf("history lacks %q (%v):\n%s", want, err, h)
		}
		time.Sleep(300 * time.Millisecond)
		if time.Since(start) > 5*time.Second {
			b.open(u)
		}
	}
}

var requestIDPattern = regexp.MustCompile(`request ([0-9A-Z]{26})`)

// createRequest files a request through the CLI and returns its id.
func createRequest(t *testing.T, bin, addr, typ, email string) string {
	t.Helper()
	out := cli(t, bin, addr, "request", "create", "-type", typ, "-email", email)
	m := requestIDPattern.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("request create: %s", out)
	}
	return m[1]
}
