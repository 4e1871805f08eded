package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
)

// opsToken's SHA-256 is the admin_token "ops" of test configurations.
const opsToken = "test"

// cli runs the dsrhost CLI against a daemon and returns its stdout; it
// fails the test on a non-zero exit.
func cli(t *testing.T, bin, addr string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "dsrhost"), args...)
	cmd.Env = append(os.Environ(), "DSRHOST_ADDR=http://"+addr, "DSRHOST_TOKEN="+opsToken)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("dsrhost %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// call is a Connect JSON call over plain HTTP, as curl makes it.
func call(t *testing.T, addr, token, procedure string, body any, into any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/"+procedure, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", procedure, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if into != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatalf("%s: decode %s: %v", procedure, raw, err)
		}
	}
	if resp.StatusCode != http.StatusOK {
		t.Logf("%s: %d %s", procedure, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// jsonRequest is what the tests read of a Request in Connect JSON.
type jsonRequest struct {
	ID            string `json:"id"`
	Stage         string `json:"stage"`
	DueAt         string `json:"dueAt"`
	WorkflowState string `json:"workflowState"`
	Outcome       string `json:"outcome"`
	Integrations  []struct {
		Name          string `json:"name"`
		WorkflowState string `json:"workflowState"`
		Label         string `json:"label"`
	} `json:"integrations"`
}

func (r jsonRequest) labels() map[string]string {
	out := map[string]string{}
	for _, in := range r.Integrations {
		w := "Extracting Personal Data"
		if in.WorkflowState == "WORKFLOW_STATE_PENDING_DELETE" {
			w = "Pending Delete"
		}
		out[w+"/"+in.Name] = in.Label
	}
	return out
}

// TestEndToEndDeletion drives a deletion request through the real daemon
// binary on a real redis-server, once with the CLI and once with plain
// HTTP JSON, asserting each state.
func TestEndToEndDeletion(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	addr := freeAddr(t)
	// Requests wait in Review here: the test approves them.
	cfgPath := c.config("e2e.hcl", addr, "10ms")
	src, _ := os.ReadFile(cfgPath)
	if err := os.WriteFile(cfgPath, bytes.Replace(src, []byte("auto_approve = true"), []byte("auto_approve = false"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	d := c.startDaemon(cfgPath)
	testbin.WaitServing(t, addr, d.log)

	t.Run("cli", func(t *testing.T) {
		out := cli(t, c.bin, addr, "request", "create", "-type", "deletion", "-email", "ada@example.com")
		id := regexp.MustCompile(`request ([0-9A-Z]{26})`).FindStringSubmatch(out)
		if id == nil {
			t.Fatalf("no id in %q", out)
		}
		get := func() jsonRequest {
			var r struct{ Request jsonRequest }
			if err := json.Unmarshal([]byte(cli(t, c.bin, addr, "request", "get", "-format", "json", id[1])), &r); err != nil {
				t.Fatal(err)
			}
			return r.Request
		}
		if r := get(); r.Stage != "STAGE_REVIEW" {
			t.Fatalf("new request stage %s, want Review", r.Stage)
		}
		if out := cli(t, c.bin, addr, "request", "approve", id[1]); !strings.Contains(out, "Process") {
			t.Errorf("approve said %q", out)
		}
		waitFor(t, "Reply", func() bool { return get().Stage == "STAGE_REPLY" })
		if got := get().labels(); fmt.Sprint(got) != fmt.Sprint(wantLabels) {
			t.Errorf("labels:\n got %v\nwant %v", got, wantLabels)
		}
		cli(t, c.bin, addr, "request", "close", id[1])
		if r := get(); r.Stage != "STAGE_CLOSED" || r.Outcome != "OUTCOME_COMPLETED" {
			t.Errorf("after close: stage %s outcome %s", r.Stage, r.Outcome)
		}
		hist := cli(t, c.bin, addr, "request", "history", id[1])
		for _, want := range []string{"request.created", "stage.changed", "reply.sent", "ops"} {
			if !strings.Contains(hist, want) {
				t.Errorf("history lacks %q:\n%s", want, hist)
			}
		}
	})

	t.Run("http json", func(t *testing.T) {
		const svc = "dsrhost.admin.v1.RequestService/"
		var created struct{ Request jsonRequest }
		if code := call(t, addr, opsToken, svc+"CreateRequest", map[string]any{
			"type": "REQUEST_TYPE_DELETION", "subject": map[string]any{"email": "grace@example.com"}, "source": "privacy_center",
		}, &created); code != 200 {
			t.Fatalf("CreateRequest: %d", code)
		}
		id := created.Request.ID
		if created.Request.Stage != "STAGE_REVIEW" {
			t.Fatalf("created in %s", created.Request.Stage)
		}
		// Auth and validation answer as the contract says.
		if code := call(t, addr, "", svc+"GetRequest", map[string]any{"id": id}, nil); code != 401 {
			t.Errorf("no token: %d, want 401", code)
		}
		if code := call(t, addr, opsToken, svc+"CreateRequest", map[string]any{"type": "REQUEST_TYPE_DELETION"}, nil); code != 400 {
			t.Errorf("no email: %d, want 400", code)
		}
		var approved struct{ Request jsonRequest }
		if call(t, addr, opsToken, svc+"ApproveRequest", map[string]any{"id": id}, &approved); approved.Request.Stage != "STAGE_PROCESS" {
			t.Fatalf("approved into %s", approved.Request.Stage)
		}
		get := func() jsonRequest {
			var r struct{ Request jsonRequest }
			call(t, addr, opsToken, svc+"GetRequest", map[string]any{"id": id}, &r)
			return r.Request
		}
		waitFor(t, "Reply", func() bool { return get().Stage == "STAGE_REPLY" })
		if got := get().labels(); fmt.Sprint(got) != fmt.Sprint(wantLabels) {
			t.Errorf("labels:\n got %v\nwant %v", got, wantLabels)
		}
		var closed struct{ Request jsonRequest }
		call(t, addr, opsToken, svc+"CloseRequest", map[string]any{"id": id, "reply": map[string]any{"body": "Done."}}, &closed)
		if closed.Request.Stage != "STAGE_CLOSED" {
			t.Errorf("closed into %s", closed.Request.Stage)
		}
	})
}

// waitFor polls cond for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s not reached within a minute", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
