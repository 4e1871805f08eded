// Package nodetest installs the Node.js example connector for tests: its
// dependencies with `npm ci` from the committed lockfile, in a directory of
// the test's own, and returns the launcher script the daemon runs as the
// plugin binary.
package nodetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/internal/testprereq"
)

// Launcher is the launcher script's name.
const Launcher = "dsrhost-plugin-node-crm"

// files are the connector's own files, copied beside the installed
// node_modules.
var files = []string{"package.json", "package-lock.json", "index.js", "plugin.js", "connector.js", Launcher}

var (
	once       sync.Once
	installed  string
	installErr error
)

// Install runs `npm ci` once per test process and returns the launcher's
// path. It skips the test under -short; a missing node or npm fails it
// otherwise, as testprereq does for every installed prerequisite.
func Install(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("the Node.js connector needs npm ci; skipped under -short")
	}
	// Missing node or npm fails the test (make test installs them).
	testprereq.Command(t, "nodejs", "node")
	testprereq.Command(t, "npm", "npm")
	once.Do(func() { installed, installErr = install() })
	if installErr != nil {
		t.Fatalf("install the Node.js connector: %v", installErr)
	}
	return installed
}

// install lays the connector out as in the repository (its protos at
// ../../../proto) under a directory named after the hash of its files in
// the system's temporary directory, reused while they do not change.
// Each install happens in a fresh directory renamed into place, so
// concurrent test processes never share a node_modules being replaced.
func install() (string, error) {
	_, self, _, _ := runtime.Caller(0)
	src := filepath.Dir(filepath.Dir(self)) // examples/plugins/node
	repo := filepath.Clean(filepath.Join(src, "..", "..", ".."))
	h := sha256.New()
	contents := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return "", err
		}
		contents[f] = b
		fmt.Fprintf(h, "%s %d\n", f, len(b))
		h.Write(b)
	}
	h.Write([]byte(repo))
	base := filepath.Join(os.TempDir(), fmt.Sprintf("dsrhost-node-plugin-%d", os.Getuid()))
	final := filepath.Join(base, hex.EncodeToString(h.Sum(nil))[:16])
	launcher := filepath.Join(final, "examples", "plugins", "node", Launcher)
	if _, err := os.Stat(launcher); err == nil {
		return launcher, nil
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	root, err := os.MkdirTemp(base, "install-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(root) // gone after the rename; cleans up a failed install
	dst := filepath.Join(root, "examples", "plugins", "node")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	if err := os.Symlink(filepath.Join(repo, "proto"), filepath.Join(root, "proto")); err != nil {
		return "", err
	}
	for _, f := range files {
		mode := os.FileMode(0o644)
		if f == Launcher || f == "index.js" {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(dst, f), contents[f], mode); err != nil {
			return "", err
		}
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline")
	cmd.Dir = dst
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm ci: %w\n%s", err, out)
	}
	if err := os.Rename(root, final); err != nil {
		if _, serr := os.Stat(launcher); serr == nil {
			return launcher, nil // another process installed it first
		}
		return "", fmt.Errorf("install: %w", err)
	}
	return launcher, nil
}
