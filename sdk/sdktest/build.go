package sdktest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

var (
	buildMu sync.Mutex
	// built maps a package (with the directory it was named from) to its
	// binary, so each test binary process builds each plugin once.
	built = map[string]string{}
)

// Build compiles the package main named by pkg (an import path, or a path
// relative to the test's package directory) with `go build` and returns
// the binary's path. Repeated calls for the same package within one test
// process return the same binary without rebuilding.
//
// Binaries live in a directory per package under the system's temporary
// directory, replaced atomically on each build, so concurrent test
// processes never see a half-written file and disk use stays bounded.
func Build(t T, pkg string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("sdktest.Build %s: %v", pkg, err)
	}
	key := wd + "\x00" + pkg

	buildMu.Lock()
	defer buildMu.Unlock()
	if bin, ok := built[key]; ok {
		return bin
	}
	bin, err := goBuild(wd, pkg)
	if err != nil {
		t.Fatalf("sdktest.Build %s: %v", pkg, err)
	}
	built[key] = bin
	return bin
}

func goBuild(wd, pkg string) (string, error) {
	sum := sha256.Sum256([]byte(wd + "\x00" + pkg))
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("dsrhost-sdktest-%d", os.Getuid()), hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create build directory: %w", err)
	}
	name := path.Base(pkg)
	if strings.HasPrefix(pkg, ".") {
		// A relative package: name the binary after its directory.
		name = filepath.Base(filepath.Join(wd, pkg))
	}
	tmp, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("create build output: %w", err)
	}
	tmpName := tmp.Name()
	_ = tmp.Close()
	defer os.Remove(tmpName) // gone after the rename; cleans up a failed build

	goTool, err := findGo()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(goTool, "build", "-o", tmpName, pkg)
	cmd.Dir = wd
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	bin := filepath.Join(dir, name)
	if err := os.Rename(tmpName, bin); err != nil {
		return "", fmt.Errorf("install binary: %w", err)
	}
	return bin, nil
}

// findGo finds the go command: on PATH, else in $GOROOT/bin (go test may
// have been started by absolute path).
func findGo() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("the go command is neither on PATH nor in $GOROOT/bin")
}
