package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
)

// TestValidate runs the real dsrhost binary, with the shipped plugins beside
// it, as an admin would.
func TestValidate(t *testing.T) {
	t.Parallel()
	bin := testbin.Install(t)
	const secret = "hunter2-s3cret-value-from-env"

	validate := func(t *testing.T, file string, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		abs, err := filepath.Abs(file)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(filepath.Join(bin, "dsrhost"), append(append([]string{"validate"}, args...), abs)...)
		// From the directory holding bin/, as `make build` users run it.
		cmd.Dir = filepath.Dir(bin)
		cmd.Env = append(cmd.Environ(), "DSRHOST_VALIDATE_TEST_SECRET="+secret,
			"DSRHOST_ENCRYPTION_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
			"DEMO_CRM_TOKEN=t", "DEMO_EXPORTS_API_KEY=k", "DEMO_PEOPLE_CLIENT_SECRET=s",
			"HEAP_API_KEY=k", "SMTP_PASSWORD=p")
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err = cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return o.String(), e.String(), ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run dsrhost validate: %v", err)
		}
		return o.String(), e.String(), 0
	}

	t.Run("shipped example", func(t *testing.T) {
		stdout, stderr, code := validate(t, "../examples/dsrhost.hcl")
		if code != 0 {
			t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		if !strings.Contains(stdout, "is valid") {
			t.Errorf("stdout %q does not say the file is valid", stdout)
		}
	})

	t.Run("the contract's example", func(t *testing.T) {
		// DESIGN.md's configuration, Direct Contact taking the top-level
		// smtp block.
		stdout, stderr, code := validate(t, "testdata/validate/design.hcl")
		if code != 0 {
			t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("genericrest examples", func(t *testing.T) {
		files, _ := filepath.Glob("../examples/genericrest/*.hcl")
		if len(files) == 0 {
			t.Fatal("no examples/genericrest/*.hcl")
		}
		for _, f := range files {
			if stdout, stderr, code := validate(t, f); code != 0 {
				t.Errorf("%s: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", f, code, stdout, stderr)
			}
		}
	})

	t.Run("several mistakes", func(t *testing.T) {
		stdout, stderr, code := validate(t, "testdata/validate/mistakes.hcl")
		if code != 1 {
			t.Fatalf("exit %d, want 1\nstderr:\n%s", code, stderr)
		}
		out := stdout + stderr
		if strings.Contains(out, secret) {
			t.Fatalf("output shows the secret given through env():\n%s", out)
		}
		// One diagnostic per mistake, each at its file:line:column.
		want := []struct{ summary, at string }{
			{"Unsupported block type", "mistakes.hcl:12:1"},
			{"Invalid duration", "mistakes.hcl:18:20"},
			{"no-such-plugin", "mistakes.hcl:26:12"},
			{"Incorrect attribute value type", "mistakes.hcl:34:20"},
			{"Missing required argument", "mistakes.hcl:40:12"},
			{"Incorrect attribute value type", "mistakes.hcl:48:10"},
		}
		blocks := strings.Split(stderr, "Error: ")[1:]
		if len(blocks) != len(want) {
			t.Fatalf("got %d diagnostics, want %d:\n%s", len(blocks), len(want), stderr)
		}
		for i, w := range want {
			if !strings.Contains(blocks[i], w.summary) || !strings.Contains(blocks[i], w.at) {
				t.Errorf("diagnostic %d: want %q at %s, got:\n%s", i+1, w.summary, w.at, blocks[i])
			}
		}
		if !strings.Contains(stderr, "is not valid: 6 errors") {
			t.Errorf("no error count in:\n%s", stderr)
		}
	})

	t.Run("json", func(t *testing.T) {
		stdout, _, code := validate(t, "testdata/validate/mistakes.hcl", "-format", "json")
		if code != 1 || !strings.Contains(stdout, `"valid": false`) || !strings.Contains(stdout, `"line": 18`) {
			t.Errorf("exit %d, json output:\n%s", code, stdout)
		}
		if strings.Contains(stdout, secret) {
			t.Fatalf("json output shows the secret:\n%s", stdout)
		}
	})

	t.Run("usage", func(t *testing.T) {
		cmd := exec.Command(filepath.Join(bin, "dsrhost"), "validate")
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("validate without a file: %v, want exit 2", err)
		}
	})
}
