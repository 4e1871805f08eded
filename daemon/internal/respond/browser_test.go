package respond_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testbrowser"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestBrowser answers as a person does, in headless Chromium, without
// JavaScript of ours: open the emailed link, pick an answer by its label,
// choose a file, send, and read the confirmation.
func TestBrowser(t *testing.T) {
	ctx := testbrowser.New(t)
	w := newWorld(t)

	t.Run("access with a file", func(t *testing.T) {
		e := w.env(t, envOptions{})
		id := e.request(sdk.RequestAccess)
		link := e.link(id)
		file := filepath.Join(t.TempDir(), "tickets.csv")
		// Over two of the store's 1 MiB chunks, so the page seals it in
		// pieces as Chromium sends it.
		content := append([]byte("ticket,opened\nT-1,2025-06-01\n"), bytes.Repeat([]byte("T-2,2025-06-02\n"), 180000)...)
		if err := os.WriteFile(file, content, 0o600); err != nil {
			t.Fatal(err)
		}
		err := chromedp.Do(ctx,
			chromedp.Navigate(link),
			chromedp.WaitVisible(chromedp.CSS(`label[for="answer-files_uploaded"]`)),
			chromedp.Click(chromedp.CSS(`label[for="answer-files_uploaded"]`)),
			chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{file}),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#state")),
		)
		if err != nil {
			t.Fatalf("answer in the browser: %v", err)
		}
		confirm(t, ctx, "Complete 1 of files uploaded", "Yes, we hold personal data about the data subject and have uploaded it.")
		if got := e.state(id, state.Extracting).Label; got != "Complete 1 of files uploaded" {
			t.Errorf("label %q", got)
		}
		if files := e.uploaded(id); len(files) != 1 || files[0].Name != "tickets.csv" || !bytes.Equal(files[0].Content, content) {
			t.Errorf("stored uploads %d, want tickets.csv with the file's content", len(files))
		}

		// Opening the link again shows why it no longer works.
		if err := chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
			t.Fatal(err)
		}
		h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil || h1 != "This link has already been used." {
			t.Errorf("heading %q (%v), want the used-link refusal", h1, err)
		}
	})

	t.Run("deletion", func(t *testing.T) {
		e := w.env(t, envOptions{})
		id := e.request(sdk.RequestDeletion)
		link := e.link(id)
		err := chromedp.Do(ctx,
			chromedp.Navigate(link),
			chromedp.WaitVisible(chromedp.CSS(`label[for="answer-not_deleted"]`)),
			chromedp.Click(chromedp.CSS(`label[for="answer-not_deleted"]`)),
			chromedp.SendKeys(chromedp.CSS("#note"), "Legal hold on the account."),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#state")),
		)
		if err != nil {
			t.Fatalf("answer in the browser: %v", err)
		}
		confirm(t, ctx, "Complete Data found, not deleted", textNotDeleted)
		if got := e.state(id, state.PendingDelete).Label; got != "Complete Data found, not deleted" {
			t.Errorf("label %q", got)
		}
	})
}

// confirm checks the confirmation page's resulting state and answer.
func confirm(t *testing.T, ctx context.Context, label, answer string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#state")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(got) != label {
		t.Errorf("confirmation shows state %q, want %q", got, label)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "your answer was recorded") || !strings.Contains(body, answer) {
		t.Errorf("confirmation page says:\n%s", body)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil || !strings.HasPrefix(title, "Answer recorded") {
		t.Errorf("title %q (%v)", title, err)
	}
}
