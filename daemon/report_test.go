package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
)

// TestReportSurvivesKill runs the real daemon: it rejects one access
// request and closes another, is killed (SIGKILL) the moment the close
// returns, and a new daemon on the same Redis reports both, with the one
// left open, through the CLI's CSV.
func TestReportSurvivesKill(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	addr := freeAddr(t)
	d := c.startDaemon(c.config("a.hcl", addr, "0s"))
	testbin.WaitServing(t, addr, d.log)

	create := func() string {
		out := cli(t, c.bin, addr, "request", "create", "-type", "access", "-email", "ada@example.com")
		return regexp.MustCompile(`request ([0-9A-Z]{26})`).FindStringSubmatch(out)[1]
	}
	closed, rejected := create(), create()
	create() // left open
	cli(t, c.bin, addr, "request", "reject", rejected, "-reason", "Identity not verified")
	cli(t, c.bin, addr, "request", "approve", closed)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var got struct {
			Request struct {
				Stage string `json:"stage"`
			} `json:"request"`
		}
		if err := json.Unmarshal([]byte(cli(t, c.bin, addr, "request", "get", closed, "-format", "json")), &got); err != nil {
			t.Fatal(err)
		}
		if got.Request.Stage == "STAGE_REPLY" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("request %s never reached Reply (%s); log:\n%s", closed, got.Request.Stage, d.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	cli(t, c.bin, addr, "request", "close", closed)
	d.stop(syscall.SIGKILL)

	addr2 := freeAddr(t)
	d2 := c.startDaemon(c.config("b.hcl", addr2, "0s"))
	testbin.WaitServing(t, addr2, d2.log)
	now := time.Now().UTC()
	out := cli(t, c.bin, addr2, "request", "report", "-format", "csv",
		"-from", now.AddDate(0, 0, -1).Format(time.DateOnly), "-to", now.AddDate(0, 0, 1).Format(time.DateOnly))
	// received 3: whole 1, part 0, denied 1, open 1; 2 responded.
	if !strings.Contains(out, "\naccess,Requests to know,3,1,0,1,1,2,") {
		t.Fatalf("report after the kill:\n%s", out)
	}
	if strings.Contains(out, "ada@example.com") || strings.Contains(out, closed) {
		t.Fatalf("report holds personal data or an id:\n%s", out)
	}
}
