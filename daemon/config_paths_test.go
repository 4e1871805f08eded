package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
)

// TestConfigDirectory: `server -config DIR -config FILE` reads a directory
// of .hcl files and another file as one configuration, file() reading
// beside the file that calls it; SIGHUP re-reads the same set, a file
// added to the directory included; a duplicate across files is refused
// with both places, by the running daemon and by validate alike.
func TestConfigDirectory(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	addr := freeAddr(t)
	confd := filepath.Join(c.dir, "dsrhost.d")
	extra := filepath.Join(c.dir, "extra")
	for _, dir := range []string{confd, extra} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path, src string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(confd, "00-core.hcl"), configHeader(addr, c.redisBlock))
	write(filepath.Join(confd, "10-crm.hcl"), testIntegration(c, "crm"))
	write(filepath.Join(confd, "README.md"), "not configuration: only .hcl files are read")
	write(filepath.Join(extra, "access.txt"), "Dear subject, your data is attached.")
	write(filepath.Join(extra, "replies.hcl"), "reply_template \"access\" {\n  subject = \"Your data\"\n  body    = file(\"access.txt\")\n}\n")
	paths := []string{"-config", confd, "-config", filepath.Join(extra, "replies.hcl")}

	for _, args := range [][]string{paths, {confd, filepath.Join(extra, "replies.hcl")}} {
		if out, code := runBin(t, c.bin, append([]string{"validate"}, args...)...); code != 0 || !strings.Contains(out, "is valid") {
			t.Fatalf("validate %q: exit %d\n%s", args, code, out)
		}
	}
	cmd := exec.Command(filepath.Join(c.bin, "dsrhost"), append([]string{"server", "-log-level", "debug"}, paths...)...)
	cmd.Dir = filepath.Dir(c.bin) // not beside any configuration file
	d := &daemon{cmd: cmd, done: make(chan struct{})}
	startProcess(t, d)
	testbin.WaitServing(t, addr, d.log)
	list := func() string { return cli(t, c.bin, addr, "integration", "list") }
	if l := list(); !strings.Contains(l, "crm") || strings.Contains(l, "eraser") {
		t.Fatalf("at start:\n%s", l)
	}

	write(filepath.Join(confd, "20-eraser.hcl"), testIntegration(c, "eraser"))
	_ = d.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "eraser, added to the directory, listed after SIGHUP", func() bool { return strings.Contains(list(), "eraser") })

	dup := filepath.Join(confd, "30-dup.hcl")
	write(dup, "\nintegration \"crm\" {\n  plugin = \"heap\"\n}\n")
	_ = d.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the duplicate refused", func() bool { return strings.Contains(d.log(), "reload refused") })
	first := filepath.Join(confd, "10-crm.hcl") + ":"
	for _, want := range []string{dup + ":2:1", first} {
		if !strings.Contains(d.log(), want) {
			t.Errorf("the refusal does not name %s:\n%s", want, d.log())
		}
	}
	if l := list(); !strings.Contains(l, "eraser") {
		t.Errorf("the running configuration was not kept:\n%s", l)
	}
	out, code := runBin(t, c.bin, append([]string{"validate", "-no-color"}, paths...)...)
	if code != 1 || !strings.Contains(out, dup+":2:1") || !strings.Contains(out, first) {
		t.Errorf("validate with the duplicate: exit %d, want 1 naming both files\n%s", code, out)
	}

	// ReloadConfig reads the same set: without the duplicate and with
	// one more file, it applies.
	if err := os.Remove(dup); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(confd, "40-archive.hcl"), testIntegration(c, "archive"))
	var res struct {
		Applied     bool     `json:"applied"`
		Diagnostics []string `json:"diagnostics"`
	}
	if code := call(t, addr, opsToken, "dsrhost.admin.v1.ConfigService/ReloadConfig", map[string]any{}, &res); code != 200 || !res.Applied {
		t.Errorf("ReloadConfig without the duplicate: status %d, %+v", code, res)
	}
	if l := list(); !strings.Contains(l, "crm") || !strings.Contains(l, "eraser") || !strings.Contains(l, "archive") {
		t.Errorf("after ReloadConfig:\n%s", l)
	}
}

// TestValidateTLS: tls paths resolve beside the configuration file, not
// from the working directory, and validate refuses a certificate and key
// the server could not load.
func TestValidateTLS(t *testing.T) {
	t.Parallel()
	c := newClusterOn(t, redisURLBlock("127.0.0.1:1"))
	for _, name := range []string{"cert.pem", "key.pem", "other_key.pem", "broken.pem"} {
		b, err := os.ReadFile(filepath.Join("..", "config", "testdata", "tls", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(c.dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		cert, key string
		code      int
		want      string
	}{
		{"cert.pem", "key.pem", 0, "is valid"},
		{"cert.pem", "other_key.pem", 1, "private key does not match public key"},
		{"broken.pem", "key.pem", 1, "failed to find any PEM data"},
	}
	for _, tt := range tests {
		t.Run(tt.cert+"+"+tt.key, func(t *testing.T) {
			path := filepath.Join(c.dir, "tls.hcl")
			src := strings.Replace(configHeader("127.0.0.1:0", c.redisBlock), "server {\n",
				fmt.Sprintf("server {\n  tls {\n    cert_file = %q\n    key_file  = %q\n  }\n", tt.cert, tt.key), 1)
			if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			out, code := runBin(t, c.bin, "validate", "-no-color", path)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d, want %d and %q:\n%s", code, tt.code, tt.want, out)
			}
			if tt.code != 0 && !strings.Contains(out, path+":3:3") {
				t.Errorf("the refusal does not point at the tls block (%s:3:3):\n%s", path, out)
			}
		})
	}
}

// testIntegration declares an integration of the test connector (a
// synchronous API) named name, with its plugin block.
func testIntegration(c *cluster, name string) string {
	return fmt.Sprintf(`
plugin "test-%[1]s" {
  command = %[2]q
  args    = ["-type", "sync"]
}
integration %[1]q {
  plugin = "test-%[1]s"
  settings {
    token  = "t"
    ledger = %[3]q
  }
}
`, name, filepath.Join(c.bin, "dsrhost-plugin-test"), c.ledger)
}

// runBin runs the installed dsrhost with args from the directory holding
// bin/, returning its combined output and exit code.
func runBin(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "dsrhost"), args...)
	cmd.Dir = filepath.Dir(bin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run dsrhost %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), 0
}
