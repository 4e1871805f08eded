package main

import (
	"bytes"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// devOnly are packages only dev mode needs: the production build (-tags
// nodev) must not link them, the default build must (or -dev is gone).
var devOnly = []string{
	"github.com/alicebob/miniredis/v2",
	"github.com/dsrhost/dsrhost/daemon/internal/devmode",
	"github.com/dsrhost/dsrhost/examples/genericrest/demoapi",
	"github.com/dsrhost/dsrhost/examples/mailsink",
	"github.com/dsrhost/dsrhost/plugins/heap/fakeheap",
	"github.com/dsrhost/dsrhost/plugins/sql/demodb",
	"modernc.org/sqlite",
}

// testOnly are test helper packages, which no binary may link; each must
// exist, so that testHelper is seen to catch them.
var testOnly = []string{
	"github.com/dsrhost/dsrhost/daemon/internal/testbin",
	"github.com/dsrhost/dsrhost/daemon/internal/testbrowser",
	"github.com/dsrhost/dsrhost/daemon/internal/testredis",
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest",
	"github.com/dsrhost/dsrhost/daemon/internal/report/reporttest",
	"github.com/dsrhost/dsrhost/internal/testclock",
	"github.com/dsrhost/dsrhost/internal/testlog",
	"github.com/dsrhost/dsrhost/internal/testprereq",
	"github.com/dsrhost/dsrhost/sdk/sdktest",
}

// testHelper reports whether pkg is one of the module's test helper
// packages, by the naming they all follow (testredis, sdktest, ...), so a
// new helper is covered without being listed.
func testHelper(pkg string) bool {
	if !strings.HasPrefix(pkg, "github.com/dsrhost/dsrhost/") {
		return false
	}
	base := path.Base(pkg)
	return strings.HasPrefix(base, "test") || strings.HasSuffix(base, "test")
}

// shippedPlugins are the plugin binaries `make plugins` builds.
var shippedPlugins = []string{"../plugins/heap", "../plugins/directcontact", "../plugins/genericrest", "../plugins/sql"}

// TestProductionBuildLeavesDevModeOut: `go build -tags nodev` (make
// release) links none of dev mode's packages, the default build (make
// build) links them all, and neither links a test helper. (The standard
// library's testing package stays in both: hashicorp/go-plugin imports it
// for its own test helpers.)
func TestProductionBuildLeavesDevModeOut(t *testing.T) {
	t.Parallel()
	deps := func(flags ...string) []string {
		args := append([]string{"list", "-deps"}, flags...)
		out, err := exec.Command("go", args...).Output()
		if err != nil {
			t.Fatalf("go %s: %v", strings.Join(args, " "), err)
		}
		return strings.Fields(string(out))
	}
	release, dev := deps("-tags", "nodev", "."), deps(".")
	for _, pkg := range devOnly {
		if slices.Contains(release, pkg) {
			t.Errorf("the production build links %s", pkg)
		}
		if !slices.Contains(dev, pkg) {
			t.Errorf("the default build lacks %s, which dev mode needs", pkg)
		}
	}
	all := deps(append([]string{"-test=false", "../..."}, shippedPlugins...)...)
	for _, pkg := range testOnly {
		if !slices.Contains(all, pkg) || !testHelper(pkg) {
			t.Errorf("test helper %s: not in the module or not named as one (testHelper misses it)", pkg)
		}
	}
	plugins := deps(shippedPlugins...)
	for name, linked := range map[string][]string{"dsrhost (release)": release, "dsrhost": dev, "the shipped plugins": plugins} {
		for _, pkg := range linked {
			if testHelper(pkg) {
				t.Errorf("%s links the test helper %s", name, pkg)
			}
		}
	}
}

// TestProductionBinaryRefusesDev: a production binary asked for -dev says
// dev mode was not built in and how to get it, with the usage exit code.
func TestProductionBinaryRefusesDev(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "dsrhost")
	if out, err := exec.Command("go", "build", "-tags", "nodev", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -tags nodev: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "server", "-dev")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("server -dev on a production binary: %v, want exit 2\n%s", err, stderr.String())
	}
	for _, want := range []string{"dev mode is not built into this binary", "make build", "-config PATH"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the refusal lacks %q:\n%s", want, stderr.String())
		}
	}
}

// TestMakeTargets: `make run` serves on DEV_ADDR, and `make release`
// builds dsrhost without dev mode (read with make -n, nothing built).
func TestMakeTargets(t *testing.T) {
	t.Parallel()
	makeN := func(args ...string) string {
		cmd := exec.Command("make", append([]string{"-n"}, args...)...)
		cmd.Dir = ".."
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := makeN("run", "DEV_ADDR=127.0.0.1:8800"); !strings.Contains(out, "bin/dsrhost server -dev -dev-listen-address 127.0.0.1:8800\n") {
		t.Errorf("make run DEV_ADDR=127.0.0.1:8800 does not serve there:\n%s", out)
	}
	if out := makeN("run"); !strings.Contains(out, "-dev-listen-address 127.0.0.1:8700\n") {
		t.Errorf("make run does not default to 127.0.0.1:8700:\n%s", out)
	}
	if out := makeN("release"); !strings.Contains(out, "-tags nodev -o bin/dsrhost ./daemon") {
		t.Errorf("make release does not build dsrhost with -tags nodev:\n%s", out)
	}
}
