package testprereq

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Hint is appended to every missing-prerequisite message.
const Hint = "`make test` installs it (.ci/provision); `go test -short` skips tests that need it"

// Command returns the path of the first of names that is installed: a
// bare name is looked up in PATH, a name with a slash is a glob (for
// binaries outside PATH, such as /usr/lib/postgresql/*/bin/initdb; the
// highest match wins). When none is, the test fails, or under -short is
// skipped; pkg names the Debian package that provides it.
func Command(t testing.TB, pkg string, names ...string) string {
	t.Helper()
	if p, ok := Find(names...); ok {
		return p
	}
	Missing(t, "%s is not installed (Debian package %s)", strings.Join(names, " or "), pkg)
	return ""
}

// Find returns the path of the first of names that is installed, as
// Command looks for them, without failing.
func Find(names ...string) (string, bool) {
	for _, name := range names {
		if !strings.Contains(name, "/") {
			if p, err := exec.LookPath(name); err == nil {
				return p, true
			}
			continue
		}
		matches, _ := filepath.Glob(name)
		for i := len(matches) - 1; i >= 0; i-- {
			if p, err := exec.LookPath(matches[i]); err == nil {
				return p, true
			}
		}
	}
	return "", false
}

// Missing reports a prerequisite the test cannot run without: a failure,
// or a skip under -short. It does not return.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...) + "; " + Hint
	if testing.Short() {
		t.Skip(msg)
	}
	t.Fatal(msg)
}
