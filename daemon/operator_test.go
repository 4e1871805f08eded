package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
)

// TestOperatorActions drives a failing integration of the real test
// connector through the CLI: its error is shown with type, status code and
// remediation; a manual retry runs a new attempt at once; stop ends it as
// "Stopped processing", skip as "Access skipped" and "Deletion skipped";
// and a retry of a Complete integration is refused.
func TestOperatorActions(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	addr := freeAddr(t)
	path := c.config("ops.hcl", addr, "10ms")
	src, _ := os.ReadFile(path)
	src = append(src, []byte(fmt.Sprintf(`
plugin "test-flaky" {
  command = %q
  args    = ["-type", "sync"]
}
integration "flaky" {
  plugin         = "test-flaky"
  retry_interval = "1h"
  max_attempts   = 5
  settings {
    token       = "t"
    fail_with   = "permission"
    fail_status = 403
  }
}
`, filepath.Join(c.bin, "dsrhost-plugin-test")))...)
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	d := c.startDaemon(path)
	testbin.WaitServing(t, addr, d.log)

	create := func() string {
		out := cli(t, c.bin, addr, "request", "create", "-type", "deletion", "-email", "ada@example.com")
		return regexp.MustCompile(`request ([0-9A-Z]{26})`).FindStringSubmatch(out)[1]
	}
	type integration struct {
		Name          string `json:"name"`
		WorkflowState string `json:"workflowState"`
		Label         string `json:"label"`
		Attempts      int    `json:"attempts"`
		Error         *struct {
			Type        string `json:"type"`
			StatusCode  int    `json:"statusCode"`
			Remediation string `json:"remediation"`
		} `json:"error"`
	}
	flaky := func(id, workflow string) integration {
		var r struct {
			Request struct{ Integrations []integration }
		}
		if err := json.Unmarshal([]byte(cli(t, c.bin, addr, "request", "get", "-format", "json", id)), &r); err != nil {
			t.Fatal(err)
		}
		for _, in := range r.Request.Integrations {
			if in.Name == "flaky" && in.WorkflowState == workflow {
				return in
			}
		}
		return integration{}
	}
	const extracting, pendingDelete = "WORKFLOW_STATE_EXTRACTING_PERSONAL_DATA", "WORKFLOW_STATE_PENDING_DELETE"
	waitLabel := func(id, workflow, want string) integration {
		t.Helper()
		var got integration
		waitFor(t, want, func() bool { got = flaky(id, workflow); return got.Label == want })
		return got
	}

	stopped, skipped := create(), create()
	for _, id := range []string{stopped, skipped} {
		in := waitLabel(id, extracting, "Error")
		if in.Error == nil || in.Error.Type != "permission" || in.Error.StatusCode != 403 || in.Error.Remediation == "" {
			t.Fatalf("error shown as %+v", in.Error)
		}
	}

	// A manual retry runs a second attempt at once (the automatic one is
	// an hour away), which fails again.
	cli(t, c.bin, addr, "integration", "retry", stopped, "flaky")
	waitFor(t, "attempt 2", func() bool { in := flaky(stopped, extracting); return in.Attempts == 2 && in.Label == "Error" })

	cli(t, c.bin, addr, "integration", "stop", stopped, "flaky")
	waitLabel(stopped, extracting, "Complete Stopped processing")

	cli(t, c.bin, addr, "integration", "skip", skipped, "flaky")
	waitLabel(skipped, extracting, "Complete Access skipped")
	// In Pending Delete it fails again; skipping it there lets the request
	// reach Reply.
	waitLabel(skipped, pendingDelete, "Error")
	cli(t, c.bin, addr, "integration", "skip", skipped, "flaky")
	waitLabel(skipped, pendingDelete, "Complete Deletion skipped")
	waitFor(t, "Reply", func() bool { return strings.Contains(cli(t, c.bin, addr, "request", "get", skipped), "Reply") })

	// Retrying a Complete integration is refused, and says why.
	cmd := exec.Command(filepath.Join(c.bin, "dsrhost"), "integration", "retry", skipped, "flaky")
	cmd.Env = append(os.Environ(), "DSRHOST_ADDR=http://"+addr, "DSRHOST_TOKEN="+opsToken)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(strings.ToLower(string(out)), "complete") {
		t.Errorf("retry of a Complete integration: %v\n%s", err, out)
	}

	hist := cli(t, c.bin, addr, "request", "history", stopped)
	for _, want := range []string{"operator.retry", "operator.stop", "ops"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
}
