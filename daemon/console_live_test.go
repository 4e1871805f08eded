package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testbrowser"
)

// TestConsoleLiveAcrossRestart: the daemon is killed while a request page
// is open with live updates (its script on), just after an approval whose
// jobs are in flight. The open page rides out the outage, and once the
// daemon is back it updates by itself as the jobs finish, without being
// navigated; the approval is recorded once, no integration is stranded,
// and the close posted from the same page afterwards is recorded once.
func TestConsoleLiveAcrossRestart(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	addr := freeAddr(t)
	path := c.config("live.hcl", addr, "3s")
	d := c.startDaemon(path)
	testbin.WaitServing(t, addr, d.log)
	b := &tab{t: t, ctx: testbrowser.NewScripted(t, 8*time.Minute), base: "http://" + addr}
	b.signIn(opsToken)
	id := createRequest(t, c.bin, addr, "access", "ada@example.com")
	u := b.base + "/ui/requests/" + id
	b.open(u)
	b.run("approve", chromedp.Click(chromedp.CSS("#approve")), chromedp.WaitNotPresent(chromedp.CSS("#approve")))
	if st := b.text("#stage"); st != "Process" {
		t.Fatalf("stage after approve %q", st)
	}
	d.stop(syscall.SIGKILL)

	// The page's script keeps asking while the daemon is gone; the page
	// stays as it was (no error page replaces it).
	time.Sleep(7 * time.Second)
	if st := b.text("#stage"); st != "Process" {
		t.Fatalf("stage with the daemon down %q", st)
	}
	d = c.startDaemon(path)
	testbin.WaitServing(t, addr, d.log)

	// No navigation from here: only the page's live updates can change it.
	deadline := time.Now().Add(4 * time.Minute)
	for {
		st, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("#stage")))
		if err == nil && st == "Reply" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the open page shows stage %q (%v), want Reply by its live updates", st, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, name := range []string{"crm", "analytics"} {
		if l := b.text(`tr[data-integration="` + name + `"] td.label`); !strings.HasPrefix(l, "Complete") {
			t.Errorf("%s: %q after the restart, want Complete", name, l)
		}
	}
	b.run("close", chromedp.Click(chromedp.CSS("#close")))
	b.waitHistory(u, "ops reply.sent")
	events := history(t, addr, id)
	if ev := only(t, events, "operator.approve"); ev.Actor != "ops" {
		t.Errorf("approve entry %+v", ev)
	}
	if ev := only(t, events, "reply.sent"); ev.Actor != "ops" {
		t.Errorf("reply entry %+v", ev)
	}
}
