package sdktest

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/dsrhost/dsrhost/sdk"
)

// Launch starts the plugin binary at path through go-plugin exactly as the
// daemon does (sdk.ClientConfig: the file's SHA-256 checked before launch,
// AutoMTLS, gRPC only) and returns the connector. The plugin's log lines
// go to t.Logf; the process is killed when the test ends.
func Launch(t T, path string, args ...string) sdk.Remote {
	t.Helper()
	remote, _, err := launch(t, path, args...)
	if err != nil {
		t.Fatalf("sdktest.Launch %s: %v", path, err)
	}
	return remote
}

// launch is Launch returning the go-plugin client too, for tests that
// need to watch or kill the process.
func launch(t T, path string, args ...string) (sdk.Remote, *plugin.Client, error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, nil, err
	}
	logs := &testWriter{t: t}
	// Cleanups run last-in first-out: the process is killed (and its log
	// drained) before the writer stops forwarding to t.
	t.Cleanup(logs.stop)
	logger := hclog.New(&hclog.LoggerOptions{Name: "sdktest", Level: hclog.Debug, Output: logs})
	client := plugin.NewClient(sdk.ClientConfig(exec.Command(path, args...), sum, logger))
	t.Cleanup(client.Kill)
	remote, err := sdk.Dispense(client)
	if err != nil {
		return nil, nil, err
	}
	return remote, client, nil
}

func fileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open plugin binary: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("hash plugin binary: %w", err)
	}
	return h.Sum(nil), nil
}

// testWriter forwards log lines to t.Logf until the test ends: testing
// panics on a Logf after the test has completed.
type testWriter struct {
	t       T
	mu      sync.Mutex
	stopped bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return len(p), nil
	}
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.t.Logf("%s", line)
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}
