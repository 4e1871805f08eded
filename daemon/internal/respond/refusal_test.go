package respond_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/respond/linktoken"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestRefusedLinks opens forged, altered and foreign links, then an
// expired and a used one: each is refused with its status and says why in
// plain words, and nothing is recorded.
func TestRefusedLinks(t *testing.T) {
	w := newWorld(t)
	e := w.env(t, envOptions{})
	id := e.request(sdk.RequestDeletion)
	link := e.link(id)
	base, tok, _ := strings.Cut(link, linktoken.Path)
	base += linktoken.Path
	enc, sig, _ := strings.Cut(tok, ".")

	// A payload for another request, keeping the real signature.
	body, _ := base64.RawURLEncoding.DecodeString(enc)
	var p map[string]any
	_ = json.Unmarshal(body, &p)
	p["r"] = "01JBQ7ZKX3M4N5P6Q7R8S9T0VW"
	other, _ := json.Marshal(p)

	// A link signed under another key for the same wait.
	foreignKey, _ := linktoken.DeriveKey([]byte("another daemon's 32-byte master!"))
	foreign, err := linktoken.NewSigner(linktoken.Options{Key: foreignKey, PublicURL: e.srv.URL, Clock: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	foreignTok, err := foreign.Sign(linktoken.Claims{RequestID: id, Integration: e.integration, Workflow: state.PendingDelete,
		Attempt: 1, ExpiresAt: e.clock.Now().Add(30 * day)})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct{ name, url string }{
		{"altered signature", base + enc + "." + flip(sig)},
		{"altered payload", base + flip(enc) + "." + sig},
		{"another request's payload", base + base64.RawURLEncoding.EncodeToString(other) + "." + sig},
		{"cut short", link[:len(link)-10]},
		{"signature missing", base + enc},
		{"signed under another key", base + foreignTok},
		{"made up", base + "hello"},
		{"empty", base},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := getPage(t, tc.url)
			p.want(t, http.StatusForbidden)
			checkSecurityHeaders(t, p)
			p.has(t, "This link is not valid.", "Open the link exactly as it appears in the email")
			p.hasNot(t, subject.Email)
			if tc.url != base {
				post := postAnswer(t, tc.url, "deleted", "")
				post.want(t, http.StatusForbidden)
				post.has(t, "This link is not valid.")
			}
		})
	}
	if got := e.state(id, state.PendingDelete).Label; got != "Processing Due in 14 days" {
		t.Fatalf("label %q after forged answers", got)
	}

	// The real link still works, once.
	postAnswer(t, link, "nothing_to_delete", "").want(t, http.StatusOK)
	for _, method := range []string{"GET", "POST"} {
		var p page
		if method == "GET" {
			p = getPage(t, link)
		} else {
			p = postAnswer(t, link, "deleted", "")
		}
		p.want(t, http.StatusGone)
		p.has(t, "This link has already been used.")
	}
	if got := e.state(id, state.PendingDelete).Label; got != "Complete Nothing to delete" {
		t.Fatalf("label %q after a reused link", got)
	}

	// And a link whose grace period has passed has expired.
	e2 := w.env(t, envOptions{})
	id2 := e2.request(sdk.RequestAccess)
	link2 := e2.link(id2)
	e2.clock.Advance(14*day + linktoken.DefaultGrace)
	expired := getPage(t, link2)
	expired.want(t, http.StatusGone)
	expired.has(t, "This link has expired.", "It stopped working on "+e2.state(id2, state.Extracting).DueAt.Add(linktoken.DefaultGrace).UTC().Format("Monday 2 January 2006"))
	postAnswer(t, link2, "no_data", "").want(t, http.StatusGone)
	if got := e2.state(id2, state.Extracting).Status; got != state.Processing {
		t.Fatalf("status %s after an expired answer", got)
	}

	// A link of an older attempt, after an operator's retry sent a new
	// email, no longer works.
	e3 := w.env(t, envOptions{})
	id3 := e3.request(sdk.RequestAccess)
	old := e3.link(id3)
	e3.waitLabel(id3, state.Extracting, "Processing Due in 14 days")
	if _, err := e3.engine.Retry(context.Background(), id3, e3.integration, "ops"); err != nil {
		t.Fatalf("retry: %v", err)
	}
	waitFor(t, "the second email", func() (bool, string) {
		n := 0
		for _, m := range w.sink.Emails() {
			if m.To[0] == e3.to {
				n++
			}
		}
		return n == 2, fmt.Sprintf("%d emails", n)
	})
	p3 := getPage(t, old)
	p3.want(t, http.StatusGone)
	p3.has(t, "This request no longer needs your answer.")
}

// flip changes one character in the middle of s.
func flip(s string) string {
	b := []byte(s)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// TestConcurrentAnswers sends the same link's answer eight times at once:
// exactly one is recorded, the others are refused, and the label is the
// one answer's.
func TestConcurrentAnswers(t *testing.T) {
	w := newWorld(t)
	e := w.env(t, envOptions{})
	id := e.request(sdk.RequestDeletion)
	link := e.link(id)
	answers := []string{"deleted", "nothing_to_delete", "not_deleted", "deleted", "nothing_to_delete", "not_deleted", "deleted", "not_deleted"}
	pages := make([]page, len(answers))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, a := range answers {
		wg.Go(func() {
			<-start
			pages[i] = postAnswer(t, link, a, "")
		})
	}
	close(start)
	wg.Wait()
	labels := map[string]string{"deleted": "Complete Deletion done", "nothing_to_delete": "Complete Nothing to delete", "not_deleted": "Complete Data found, not deleted"}
	accepted := ""
	for i, p := range pages {
		switch p.status {
		case http.StatusOK:
			if accepted != "" {
				t.Fatalf("two answers accepted: %q and %q", accepted, answers[i])
			}
			accepted = answers[i]
		case http.StatusGone, http.StatusConflict:
		default:
			t.Errorf("answer %d: status %d: %s", i, p.status, p.text())
		}
	}
	if accepted == "" {
		t.Fatal("no answer accepted")
	}
	if got := e.state(id, state.PendingDelete).Label; got != labels[accepted] {
		t.Errorf("label %q, want %q for the accepted answer", got, labels[accepted])
	}
}
