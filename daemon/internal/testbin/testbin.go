// Package testbin installs the product's binaries for tests: dsrhost and the
// shipped plugins, side by side in one directory as `make build` lays them
// out in bin/, so tests run the daemon exactly as a user does.
package testbin

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// Binaries maps each installed binary's name to its package.
var Binaries = map[string]string{
	"dsrhost":                      "github.com/dsrhost/dsrhost/daemon",
	"dsrhost-plugin-heap":          "github.com/dsrhost/dsrhost/plugins/heap",
	"dsrhost-plugin-directcontact": "github.com/dsrhost/dsrhost/plugins/directcontact",
	"dsrhost-plugin-genericrest":   "github.com/dsrhost/dsrhost/plugins/genericrest",
	"dsrhost-plugin-sql":           "github.com/dsrhost/dsrhost/plugins/sql",
	// The configurable test connector, for tests that need failures,
	// crashes or asynchronous answers on demand.
	"dsrhost-plugin-test": "github.com/dsrhost/dsrhost/plugins/internal/testconnector",
}

// Install builds every binary (once per test process) and links them into
// bin/ under a fresh directory of the test's, returning that bin directory.
// Its parent is a working directory from which configurations' relative
// commands ("bin/dsrhost-plugin-heap") resolve.
func Install(t sdktest.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatalf("install: %v", err)
	}
	for name, pkg := range Binaries {
		src := sdktest.Build(t, pkg)
		if err := link(src, filepath.Join(dir, name)); err != nil {
			t.Fatalf("install %s: %v", name, err)
		}
	}
	return dir
}

// link hard-links src to dst, copying when the two are on different file
// systems.
func link(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	return out.Close()
}
