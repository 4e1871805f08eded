package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/plugins/heap/fakeheap"
)

// TestHeapDeletionBehaviours runs the real daemon with the Heap plugin
// against a fake Heap that follows its User Deletion API, once per
// deletion_behavior: waiting shows "Processing Request submitted" until
// Heap reports the deletion complete; completing on submit finishes at
// once, without polling.
func TestHeapDeletionBehaviours(t *testing.T) {
	t.Parallel()
	bin := testbin.Install(t)
	rs := testredis.Start(t)
	tests := []struct {
		behavior  string
		wantPolls bool
	}{
		{"wait_for_completion", true},
		{"complete_on_submit", false},
	}
	for i, tt := range tests {
		t.Run(tt.behavior, func(t *testing.T) {
			heap := fakeheap.New(fakeheap.Config{AppID: "1234", APIKey: "heap-key", PendingPolls: 2})
			srv := httptest.NewServer(heap)
			t.Cleanup(srv.Close)
			addr := freeAddr(t)
			cfg := fmt.Sprintf(`
server {
  listen = %q
}
redis {
  url = "redis://%s/%d"
}
encryption_key = %q
admin_token "ops" {
  sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  role   = "admin"
}
integration "heap" {
  plugin            = "heap"
  category          = "Analytics"
  poll_interval     = "1s"
  deletion_behavior = %q
  settings {
    app_id   = "1234"
    api_key  = env("DSRHOST_TEST_HEAP_KEY")
    base_url = %q
  }
}
`, addr, rs.Addr, i, testKey, tt.behavior, srv.URL)
			path := filepath.Join(t.TempDir(), "heap.hcl")
			if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			d := &daemon{done: make(chan struct{})}
			d.cmd = newServerCmd(bin, path)
			d.cmd.Env = append(os.Environ(), "DSRHOST_TEST_HEAP_KEY=heap-key")
			startProcess(t, d)
			testbin.WaitServing(t, addr, d.log)

			out := cli(t, bin, addr, "request", "create", "-type", "deletion", "-email", "ada@example.com")
			id := regexp.MustCompile(`request ([0-9A-Z]{26})`).FindStringSubmatch(out)[1]
			cli(t, bin, addr, "request", "approve", id)
			if tt.wantPolls {
				waitFor(t, "Processing Request submitted", func() bool {
					return strings.Contains(cli(t, bin, addr, "request", "get", id), "Processing Request submitted")
				})
			}
			waitFor(t, "Complete Deletion done", func() bool {
				return strings.Contains(cli(t, bin, addr, "request", "get", id), "Complete Deletion done")
			})
			if n := len(heap.Deletions()); n != 1 {
				t.Errorf("Heap received %d deletion requests, want 1", n)
			}
			polls := heap.Calls(fakeheap.EndpointDeletionStatus)
			if tt.wantPolls && polls < 3 {
				t.Errorf("Heap was polled %d times, want at least 3 (2 pending, then complete)", polls)
			}
			if !tt.wantPolls && polls != 0 {
				t.Errorf("complete_on_submit polled Heap %d times", polls)
			}
			if strings.Contains(d.log(), "ada@example.com") || strings.Contains(d.log(), "heap-key") {
				t.Error("the daemon's log holds the subject's email or the API key")
			}
		})
	}
}
