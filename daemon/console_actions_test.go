package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testbrowser"
)

// actionsConfig is the cluster's configuration (crm, analytics, eraser)
// with deletions waiting for an operator's approval before they delete,
// access deadlines extensible by 45 days, and the viewer token.
func actionsConfig(t *testing.T, c *cluster, addr string) string {
	t.Helper()
	path := c.config("actions.hcl", addr, "10ms")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Replace(string(src), "auto_approve = true", "auto_approve = true\n  require_deletion_approval = true", 1)
	out += fmt.Sprintf(`
request_type "access" {
  extension = "45d"
}
admin_token "auditor" {
  sha256 = %q
  role   = "viewer"
}
`, sha256Hex(consoleViewer))
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// historyEvent is what the tests read of a history entry.
type historyEvent struct {
	Kind        string            `json:"kind"`
	Actor       string            `json:"actor"`
	Integration string            `json:"integration"`
	Attributes  map[string]string `json:"attributes"`
}

func history(t *testing.T, addr, id string) []historyEvent {
	t.Helper()
	var h struct {
		Events []historyEvent `json:"events"`
	}
	if code := call(t, addr, opsToken, "dsrhost.admin.v1.RequestService/GetRequestHistory", map[string]string{"id": id}, &h); code != 200 {
		t.Fatalf("GetRequestHistory: %d", code)
	}
	return h.Events
}

// only returns the one entry of kind, failing when there is none or more
// (an action lost or applied twice).
func only(t *testing.T, events []historyEvent, kind string) historyEvent {
	t.Helper()
	var found []historyEvent
	for _, ev := range events {
		if ev.Kind == kind {
			found = append(found, ev)
		}
	}
	if len(found) != 1 {
		t.Fatalf("history has %d %s entries, want 1: %+v", len(found), kind, events)
	}
	return found[0]
}

type apiRequest struct {
	CreatedAt time.Time `json:"createdAt"`
	DueAt     time.Time `json:"dueAt"`
}

func getRequest(t *testing.T, addr, id string) apiRequest {
	t.Helper()
	var got struct {
		Request apiRequest `json:"request"`
	}
	if code := call(t, addr, opsToken, "dsrhost.admin.v1.RequestService/GetRequest", map[string]string{"id": id}, &got); code != 200 {
		t.Fatalf("GetRequest: %d", code)
	}
	return got.Request
}

// TestConsoleActions drives the actions TestConsole leaves out in
// Chromium against a real daemon: reject with a reason, apply a deadline
// extension, approve a deletion, export the results (the downloaded
// archive holds the records), and close with the reply pre-filled from its
// template; each is then read in the history under the token's name, once.
func TestConsoleActions(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	addr := freeAddr(t)
	d := c.startDaemon(actionsConfig(t, c, addr))
	testbin.WaitServing(t, addr, d.log)
	b := &tab{t: t, ctx: testbrowser.New(t), base: "http://" + addr}
	b.signIn(opsToken)
	page := func(id string) string { return b.base + "/ui/requests/" + id }

	t.Run("reject with a reason", func(t *testing.T) {
		b.t = t
		id := createRequest(t, c.bin, addr, "access", "rita@example.com")
		b.open(page(id))
		b.run("reject",
			chromedp.SendKeys(chromedp.CSS("#reject-reason"), "not a customer of ours"),
			chromedp.Click(chromedp.CSS("#reject")),
		)
		b.waitHistory(page(id), "ops operator.reject")
		if st := b.text("#stage"); st != "Closed" {
			t.Errorf("stage after reject %q", st)
		}
		ev := only(t, history(t, addr, id), "operator.reject")
		if ev.Actor != "ops" || ev.Attributes["reason"] != "not a customer of ours" {
			t.Errorf("reject entry %+v", ev)
		}
		sent := only(t, history(t, addr, id), "reply.sent")
		if sent.Attributes["subject"] != "Your privacy request" {
			t.Errorf("rejection reply %+v, want the rejected template's", sent)
		}
	})

	t.Run("extend the deadline", func(t *testing.T) {
		b.t = t
		id := createRequest(t, c.bin, addr, "access", "eve@example.com")
		before := getRequest(t, addr, id)
		b.open(page(id))
		b.run("extend",
			chromedp.SendKeys(chromedp.CSS("#extend-reason"), "the archive is offsite"),
			chromedp.Click(chromedp.CSS("#extend")),
		)
		b.waitHistory(page(id), "ops operator.extend")
		after := getRequest(t, addr, id)
		if want := before.DueAt.Add(45 * 24 * time.Hour); !after.DueAt.Equal(want) {
			t.Errorf("due %v after the extension, want %v", after.DueAt, want)
		}
		if due := b.text("#due"); !strings.Contains(due, after.DueAt.UTC().Format("2006-01-02")) {
			t.Errorf("page's due %q, want %s", due, after.DueAt.UTC().Format("2006-01-02"))
		}
		ev := only(t, history(t, addr, id), "operator.extend")
		if ev.Actor != "ops" || ev.Attributes["reason"] != "the archive is offsite" {
			t.Errorf("extension entry %+v", ev)
		}
	})

	t.Run("approve deletion", func(t *testing.T) {
		b.t = t
		id := createRequest(t, c.bin, addr, "deletion", "dan@example.com")
		b.waitFor(page(id), "#stage", 90*time.Second, func(s string) bool { return strings.Contains(s, "awaiting deletion approval") })
		b.run("approve deletion", chromedp.Click(chromedp.CSS("#approve-deletion")))
		b.waitHistory(page(id), "ops operator.approve_deletion")
		b.waitFor(page(id), "#stage", 90*time.Second, func(s string) bool { return s == "Reply" })
		if ev := only(t, history(t, addr, id), "operator.approve_deletion"); ev.Actor != "ops" {
			t.Errorf("approve deletion entry %+v", ev)
		}
	})

	t.Run("export and close with the pre-filled reply", func(t *testing.T) {
		b.t = t
		id := createRequest(t, c.bin, addr, "access", "ada@example.com")
		b.open(page(id))
		b.run("approve", chromedp.Click(chromedp.CSS("#approve")), chromedp.WaitNotPresent(chromedp.CSS("#approve")))
		b.waitFor(page(id), "#stage", 90*time.Second, func(s string) bool { return s == "Reply" })

		records := exportArchive(t, b, id)
		for _, name := range []string{"crm", "analytics"} {
			if records[name] != 2 {
				t.Errorf("archive holds %d records of %s, want 2 (%v)", records[name], name, records)
			}
		}

		created := getRequest(t, addr, id).CreatedAt.UTC().Format("2006-01-02")
		wantBody := fmt.Sprintf("Hello,\n\nwe have completed your request for a copy of your personal data (reference %s), received on %s.\n\nKind regards,\nThe privacy team\n", id, created)
		if s := b.value("#reply-subject"); s != "Your data access request" {
			t.Errorf("pre-filled subject %q", s)
		}
		if body := b.value("#reply-body"); body != wantBody {
			t.Fatalf("pre-filled body:\n%q\nwant the access template:\n%q", body, wantBody)
		}
		edited := wantBody + "P.S. Call us with any question."
		b.run("close", chromedp.SetValue(chromedp.CSS("#reply-body"), edited), chromedp.Click(chromedp.CSS("#close")))
		b.waitHistory(page(id), "ops reply.sent")
		sent := only(t, history(t, addr, id), "reply.sent")
		// A form posts a textarea's line breaks as CRLF.
		if body := strings.ReplaceAll(sent.Attributes["body"], "\r\n", "\n"); sent.Actor != "ops" || body != edited {
			t.Errorf("sent reply by %q:\n%q\nwant\n%q", sent.Actor, body, edited)
		}
		only(t, history(t, addr, id), "operator.approve")
	})
}

// exportArchive downloads the request's export through the page's link
// in Chromium and returns the number of records per integration the
// archive's integration files hold.
func exportArchive(t *testing.T, b *tab, id string) map[string]int {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(b.ctx, 90*time.Second)
	defer cancel()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	b.open(b.base + "/ui/requests/" + id)
	b.run("export",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptr(true),
			})
			return err
		}),
		chromedp.Click(chromedp.CSS("#export")),
	)
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("the export is not a zip archive: %v", err)
	}
	defer zr.Close()
	records := map[string]int{}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "integrations/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(rc)
		rc.Close()
		var doc struct {
			Integration string            `json:"integration"`
			Records     []json.RawMessage `json:"records"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		records[doc.Integration] += len(doc.Records)
	}
	return records
}

func ptr[T any](v T) *T { return &v }
