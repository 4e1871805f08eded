package main

import (
	"net/http"
	"net/url"
	"regexp"
	"syscall"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
)

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// TestConsoleAcrossDaemons: two daemons share one redis-server, as behind
// a load balancer. A session begun on one is valid on the other and a form
// one rendered is accepted by the other; a forged or missing CSRF token is
// refused by both; a restarted daemon keeps the sessions and the open
// forms valid.
func TestConsoleAcrossDaemons(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	addrA, addrB := freeAddr(t), freeAddr(t)
	a := c.startDaemon(c.config("a.hcl", addrA, "10ms"))
	b := c.startDaemon(c.config("b.hcl", addrB, "10ms"))
	testbin.WaitServing(t, addrA, a.log)
	testbin.WaitServing(t, addrB, b.log)
	baseA, baseB := "http://"+addrA, "http://"+addrB
	id := createRequest(t, c.bin, addrA, "access", "ada@example.com")
	id2 := createRequest(t, c.bin, addrA, "access", "bob@example.com")

	// The cookie jar sends 127.0.0.1's cookie to both ports, as a browser
	// sends it to every daemon behind one host name.
	ops := signIn(t, baseA, opsToken)
	formA := get(t, ops, baseA+"/ui/requests/"+id)
	m := csrfInput.FindStringSubmatch(formA)
	if m == nil {
		t.Fatalf("no form on A's page:\n%s", formA)
	}
	token := m[1]
	if page := get(t, ops, baseB+"/ui/requests/"+id); !regexp.MustCompile(`id="who">ops<`).MatchString(page) {
		t.Fatalf("A's session is not signed in on B:\n%s", page)
	}

	refused := []struct {
		name string
		form url.Values
	}{
		{"forged token", url.Values{"csrf_token": {"AAAA" + token[4:]}, "reason": {"forged"}}},
		{"no token", url.Values{"reason": {"forged"}}},
	}
	for _, base := range []string{baseA, baseB} {
		for _, tt := range refused {
			if code := post(t, ops, base+"/ui/requests/"+id+"/reject", tt.form); code != http.StatusForbidden {
				t.Errorf("%s to %s: %d, want 403", tt.name, base, code)
			}
		}
	}
	if n := countKind(t, addrA, id, "operator.reject"); n != 0 {
		t.Fatalf("a refused form rejected the request (%d entries)", n)
	}

	// A's form, posted to B, is accepted.
	if code := postNoFollow(t, ops, baseB+"/ui/requests/"+id+"/approve", url.Values{"csrf_token": {token}}); code != http.StatusSeeOther {
		t.Fatalf("A's form posted to B: %d, want 303", code)
	}
	if ev := only(t, history(t, addrA, id), "operator.approve"); ev.Actor != "ops" {
		t.Errorf("approve entry %+v", ev)
	}

	// Restart A: the session and the form rendered before still work.
	a.stop(syscall.SIGTERM)
	a = c.startDaemon(c.config("a.hcl", addrA, "10ms"))
	testbin.WaitServing(t, addrA, a.log)
	if page := get(t, ops, baseA+"/ui/requests/"+id2); !regexp.MustCompile(`id="who">ops<`).MatchString(page) {
		t.Fatalf("the session ended with A's restart:\n%s", page)
	}
	if code := postNoFollow(t, ops, baseA+"/ui/requests/"+id2+"/approve", url.Values{"csrf_token": {token}}); code != http.StatusSeeOther {
		t.Fatalf("the form rendered before A's restart: %d, want 303", code)
	}
	if ev := only(t, history(t, addrA, id2), "operator.approve"); ev.Actor != "ops" {
		t.Errorf("approve entry %+v", ev)
	}
	only(t, history(t, addrA, id), "operator.approve")
	for _, base := range []string{baseA, baseB} {
		if code := post(t, ops, base+"/ui/requests/"+id+"/reject", refused[0].form); code != http.StatusForbidden {
			t.Errorf("forged token to %s after the restart: %d, want 403", base, code)
		}
	}
}

func countKind(t *testing.T, addr, id, kind string) int {
	t.Helper()
	n := 0
	for _, ev := range history(t, addr, id) {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// postNoFollow posts a form and returns the status without following a
// redirect, so 303 (done) is told from 200 (a page saying what is wrong).
func postNoFollow(t *testing.T, cl *http.Client, u string, form url.Values) int {
	t.Helper()
	nf := *cl
	nf.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return post(t, &nf, u, form)
}
