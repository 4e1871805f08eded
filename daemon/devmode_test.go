package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDevMode runs `dsrhost server -dev` as `make run` does and every command
// its banner suggests: a deletion request reaches Pending Delete on its own,
// with only the Direct Contact integration waiting for its processor, whose
// email (with its link) the mail sink logged.
func TestDevMode(t *testing.T) {
	t.Parallel()
	bin, addr, d := startDevMode(t)

	// The banner names every step of the README's walk-through. It is
	// printed after the API answers, so wait for it rather than read once.
	waitStdout(t, d, time.Minute, "Root token:  "+opsToken, "integration list",
		"request create -type deletion -email ada@example.com", "request approve <ID>",
		"request get <ID>", "request close <ID>", "request history <ID>",
		"Console:     http://"+addr+"/ui/  (the operator console; the root token signs in)")
	signIn(t, "http://"+addr, opsToken) // the root token signs in to the console
	if out := cli(t, bin, addr, "integration", "list"); !strings.Contains(out, "heap") || !strings.Contains(out, "demo-crm") || !strings.Contains(out, "acme-support") || !strings.Contains(out, "shop-db") {
		t.Errorf("integration list:\n%s", out)
	}
	out := cli(t, bin, addr, "request", "create", "-type", "deletion", "-email", "ada@example.com")
	id := regexp.MustCompile(`request ([0-9A-Z]{26})`).FindStringSubmatch(out)[1]
	cli(t, bin, addr, "request", "approve", id)

	want := map[string]string{
		"Extracting Personal Data/demo-crm": "Complete 2 records found",
		"Pending Delete/demo-crm":           "Complete 2 records deleted",
		"Pending Delete/heap":               "Complete Deletion done",
		"Pending Delete/acme-support":       "Processing Due in 14 days",
		// The demo SQLite shop: Ada's customer row and two orders are
		// masked, her two support tickets deleted.
		"Extracting Personal Data/shop-db": "Complete 5 records found",
		"Pending Delete/shop-db":           "Complete 5 records deleted",
	}
	var got map[string]string
	deadline := time.Now().Add(time.Minute)
	for {
		var r struct{ Request jsonRequest }
		if err := json.Unmarshal([]byte(cli(t, bin, addr, "request", "get", "-format", "json", id)), &r); err != nil {
			t.Fatal(err)
		}
		got = r.Request.labels()
		if fmt.Sprint(got) == fmt.Sprint(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("labels:\n got %v\nwant %v\nlog:\n%s", got, want, d.log())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if out := cli(t, bin, addr, "request", "history", id); !strings.Contains(out, "request.created") {
		t.Errorf("history:\n%s", out)
	}
	if !regexp.MustCompile(`email: .*links=http://` + regexp.QuoteMeta(addr) + `/respond/\S+`).MatchString(d.log()) {
		t.Errorf("the mail sink did not log the response link:\n%s", d.log())
	}

	// The privacy center is on at /privacy/ on the dev listener, named by
	// the banner, and its verification link reaches the mail sink's log.
	waitStdout(t, d, time.Minute, "http://"+addr+"/privacy/")
	if status := submitForm(t, "http://"+addr+"/privacy/request/access", url.Values{"email": {"ada@example.com"}}); status != http.StatusSeeOther {
		t.Errorf("privacy center form: status %d, want 303 to the check-your-email page", status)
	}
	waitFor(t, "the verification link in the log", func() bool {
		return regexp.MustCompile(`email: .*links=http://` + regexp.QuoteMeta(addr) + `/privacy/verify/\S+`).MatchString(d.log())
	})
}

// waitStdout polls the daemon's standard output until it holds every one of
// wants, failing after within: output comes when the process gets to it,
// which on a loaded machine may be well after the event that precedes it.
func waitStdout(t *testing.T, d *daemon, within time.Duration, wants ...string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		out := d.stdout()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(out, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the output still lacks %q:\n%s", within, missing, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
