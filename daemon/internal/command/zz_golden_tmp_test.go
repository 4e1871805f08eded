package command

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
)

// Temporary: dumps every client command's output for a before/after diff.
func TestZZGoldenDump(t *testing.T) {
	dest := os.Getenv("GOLDEN_OUT")
	if dest == "" {
		t.Skip()
	}
	srv, _ := cliServer(t)
	dir := t.TempDir()
	var b strings.Builder
	runs := [][]string{}
	for _, name := range slices.Sorted(maps.Keys(clientCommands(nil))) {
		runs = append(runs, append(strings.Fields(name), "-h"))
		runs = append(runs, append(strings.Fields(name), "-nope"))
		runs = append(runs, append(strings.Fields(name), "-format", "xml"))
		runs = append(runs, strings.Fields(name))
		runs = append(runs, append(strings.Fields(name), "a", "b", "c"))
		runs = append(runs, append(strings.Fields(name), " "+strings.ToLower(id)+" ", "heap"))
	}
	for _, f := range []string{"table", "json"} {
		for _, a := range [][]string{
			{"request", "create", "-type", "deletion", "-email", "ada@example.com", "-identifier", "crm_id=42"},
			{"request", "create", "-type", "access", "-email", "ada@example.com", "-token", apitest.ViewerToken},
			{"request", "create", "-type", "deletion", "-email", "not-an-address"},
			{"request", "create", "x"},
			{"request", "create", "-identifier", "bad"},
			{"request", "list"}, {"request", "list", "-all"}, {"request", "list", "-stage", "done"}, {"request", "list", "-type", "x"},
			{"request", "list", "-status", "x"}, {"request", "list", "-limit", "0"}, {"request", "list", "-due-before", "soon"},
			{"request", "list", "-due-before", "2025-07-01", "-stage", "review", "-type", "access", "-status", "error"}, {"request", "list", "x"},
			{"request", "get", strings.ToLower(id)}, {"request", "get", unknownID}, {"request", "get", id, "-token", "wrong"},
			{"request", "get", id, "-address", "ftp://x"},
			{"request", "history", id}, {"request", "history", unknownID},
			{"request", "approve", id, "-source", "crm,paper-archive"}, {"request", "approve-deletion", id},
			{"request", "reject", id, "-reason", "R", "-subject", "S"}, {"request", "reject", id, "-body", "x", "-body-file", "y"},
			{"request", "reject", id, "-body-file", filepath.Join(dir, "missing")},
			{"request", "close", id, "-body", "B"}, {"request", "close", id, "-body", "x", "-body-file", "y"},
			{"request", "approve", id, "-token", apitest.ViewerToken},
			{"request", "watch", "-until-closed", watchedID},
			{"request", "watch", unknownID},
			{"request", "export", id, "-o", filepath.Join(dir, "out-"+f+".zip")},
			{"request", "export", id, "-o", filepath.Join(dir, "out-"+f+".zip")},
			{"request", "export", unknownID, "-o", filepath.Join(dir, "x.zip")},
			{"integration", "list"}, {"integration", "list", "-category", "Analytics"}, {"integration", "list", "-category", "None"}, {"integration", "list", "x"},
			{"integration", "test", "crm"}, {"integration", "test", "heap"}, {"integration", "test"}, {"integration", "test", "nope"},
			{"integration", "retry", id, "heap"}, {"integration", "retry", id, "crm"}, {"integration", "stop", id, "heap"}, {"integration", "skip", id, "heap"},
			{"integration", "retry", id}, {"integration", "complete", id, "paper-archive", "-note", "N"}, {"integration", "complete", id},
			{"request"}, {"integration"},
		} {
			runs = append(runs, append(a, "-format", f))
		}
	}
	for _, a := range runs {
		res := runCLI(t, a...)
		out := strings.ReplaceAll(res.stdout+"\n--stderr--\n"+res.stderr, srv.URL, "SRV")
		out = strings.ReplaceAll(out, dir, "DIR")
		fmt.Fprintf(&b, "=== %q\nexit %d\n%s\n", a, res.code, out)
	}
	if err := os.WriteFile(dest, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}
