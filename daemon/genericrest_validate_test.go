package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
)

// TestValidateGenericRESTv2 runs `dsrhost validate` on genericrest's v2
// settings: steps, template functions, GraphQL over POST, a body cursor,
// success checks, the refresh-token grant and a catalogue entry pass; a
// misused function, a step output no earlier step provides and a missing
// catalogue value are each reported at their own line.
func TestValidateGenericRESTv2(t *testing.T) {
	t.Parallel()
	bin := testbin.Install(t)
	run := func(file string) (string, int) {
		abs, _ := filepath.Abs(file)
		return runBin(t, bin, "validate", "-no-color", abs)
	}
	if out, code := run("testdata/genericrest/v2-valid.hcl"); code != 0 {
		t.Errorf("valid file: exit %d\n%s", code, out)
	}
	out, code := run("testdata/genericrest/v2-mistakes.hcl")
	if code != 1 {
		t.Fatalf("mistakes: exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{
		"v2-mistakes.hcl:15:14", "hmac_sha256 takes 2 arguments, not 1",
		"v2-mistakes.hcl:31:14", `no earlier step provides "contact_id"; earlier steps provide user_id`,
		"v2-mistakes.hcl:40:16", "The mailchimp entry needs values.list_id",
		"3 errors",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
