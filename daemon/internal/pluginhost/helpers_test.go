package pluginhost_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

const (
	testConnectorPkg = "github.com/dsrhost/dsrhost/plugins/internal/testconnector"
	wrongProtocolPkg = "github.com/dsrhost/dsrhost/plugins/internal/wrongprotocol"
)

// fastOptions make supervision react in milliseconds, so tests wait on
// state changes rather than on production backoffs.
var fastOptions = pluginhost.Options{
	InitialBackoff:   10 * time.Millisecond,
	MaxBackoff:       100 * time.Millisecond,
	ExitPollInterval: 10 * time.Millisecond,
	StartTimeout:     30 * time.Second,
}

// privateBinary builds pkg and copies the binary into a directory of this
// test, so the test may replace it and can tell its own processes apart.
func privateBinary(t *testing.T, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	copyFile(t, sdktest.Build(t, pkg), bin)
	return bin
}

// copyFile copies an executable; the destination is replaced by rename, as
// a package manager would, because a running binary cannot be written.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(to), ".copy-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(tmp, src); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Chmod(0o755); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), to); err != nil {
		t.Fatal(err)
	}
}

// newHost returns a host logging into the returned buffer, closed when the
// test ends.
func newHost(t *testing.T) (*pluginhost.Host, *testlog.Buffer) {
	t.Helper()
	logs := &testlog.Buffer{}
	logger := hclog.New(&hclog.LoggerOptions{Name: "dsrhost", Level: hclog.Debug, Output: logs})
	h := pluginhost.New(logger, fastOptions)
	t.Cleanup(func() {
		h.Close()
		if t.Failed() {
			t.Logf("host logs:\n%s", logs.String())
		}
	})
	return h, logs
}

func sha256File(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline: it waits for a state change, it does not time one.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive reports whether a process with this pid exists.
func alive(pid int) bool {
	return pid > 0 && !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// processesOf lists the pids of running processes executing bin, found
// through /proc, so a test can prove none is left behind.
func processesOf(t *testing.T, bin string) []int {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("process listing needs /proc")
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil {
			continue // gone, or not ours to read
		}
		if strings.TrimSuffix(exe, " (deleted)") == bin {
			pids = append(pids, pid)
		}
	}
	return pids
}
