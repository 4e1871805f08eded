package command

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// cliResult is what one in-process run of the CLI printed.
type cliResult struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
}

// recorder keeps what the fake engine was asked, for assertions.
type recorder struct {
	mu      sync.Mutex
	sources []string
	reason  string
	reply   engine.Reply
	note    string
	filter  engine.Filter
	// watchReads counts reads of watchedID.
	watchReads int
}

// cliServer starts the admin API with fakes and points DSRHOST_ADDR at it.
func cliServer(t *testing.T) (*apitest.Server, *recorder) {
	rec := &recorder{}
	fe := &apitest.FakeEngine{
		ApproveFunc: func(ctx context.Context, id, actor string, sources []string) (*engine.Request, error) {
			rec.mu.Lock()
			rec.sources = sources
			rec.mu.Unlock()
			r := apitest.SampleRequest()
			r.ID = id
			return r, nil
		},
		RejectFunc: func(ctx context.Context, id, actor, reason string, reply engine.Reply) (*engine.Request, error) {
			rec.mu.Lock()
			rec.reason, rec.reply = reason, reply
			rec.mu.Unlock()
			r := apitest.SampleRequest()
			r.ID, r.Stage, r.Outcome = id, state.StageClosed, state.OutcomeRejected
			return r, nil
		},
		CloseFunc: func(ctx context.Context, id, actor string, reply engine.Reply) (*engine.Request, error) {
			rec.mu.Lock()
			rec.reply = reply
			rec.mu.Unlock()
			r := apitest.SampleRequest()
			r.ID, r.Stage, r.Outcome = id, state.StageClosed, state.OutcomeCompleted
			return r, nil
		},
		CompleteManualTaskFunc: func(ctx context.Context, id, name, actor, note string) (*engine.ManualTask, error) {
			rec.mu.Lock()
			rec.note = note
			rec.mu.Unlock()
			return &engine.ManualTask{Name: name, Done: true, Note: note, DoneBy: actor}, nil
		},
		GetFunc: func(ctx context.Context, id string) (*engine.Request, error) {
			if id == unknownID {
				return nil, fmt.Errorf("get request %s: %w", id, engine.ErrNotFound)
			}
			r := apitest.SampleRequest()
			r.ID = id
			if id == watchedID {
				// Closed from the second read on: the fake's Watch sends one
				// event, after which the request has closed.
				rec.mu.Lock()
				rec.watchReads++
				if rec.watchReads > 1 {
					r.Stage, r.Outcome = state.StageClosed, state.OutcomeCompleted
				}
				rec.mu.Unlock()
			}
			return r, nil
		},
		ListFunc: func(ctx context.Context, f engine.Filter, cursor string, limit int) ([]*engine.Request, string, error) {
			rec.mu.Lock()
			rec.filter = f
			rec.mu.Unlock()
			// Two pages: the sample, then a second request.
			if cursor == "" {
				return []*engine.Request{apitest.SampleRequest()}, "01JWR1AV80NZ7Z490N9NNHGF7V", nil
			}
			r := apitest.SampleRequest()
			r.ID, r.Stage, r.Type = secondID, state.StageReview, "access"
			return []*engine.Request{r}, "", nil
		},
		RetryFunc: func(ctx context.Context, id, integration, actor string) (*engine.IntegrationState, error) {
			if integration == "crm" {
				return nil, fmt.Errorf("integration %q is Complete 3 records found; only one in Error or Processing can be retried: %w", integration, engine.ErrFailedPrecondition)
			}
			return &engine.IntegrationState{Name: integration, Workflow: state.Extracting, Status: state.Pending, Label: "Pending"}, nil
		},
	}
	srv := apitest.Start(t, api.Options{Engine: fe, Inventory: &apitest.FakeInventory{}})
	t.Setenv("DSRHOST_ADDR", srv.URL)
	t.Setenv("DSRHOST_TOKEN", apitest.OperatorToken)
	t.Setenv("DSRHOST_CACERT", "")
	return srv, rec
}

const (
	id        = apitest.SampleID
	secondID  = "01JA2B3C4D5E6F7G8H9JKMNPQS"
	unknownID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
	watchedID = "01ARZ3NDEKTSV4RRFFQ69G5FAW"
)

// TestClientCommands runs every client command in process against a real
// HTTP server, checking exit codes and the table output people read.
func TestClientCommands(t *testing.T) {
	_, rec := cliServer(t)
	tests := []struct {
		args   []string
		code   int
		stdout []string
		stderr []string
		check  func(t *testing.T)
	}{
		{args: []string{"request", "create", "-type", "deletion", "-email", "ada@example.com", "-identifier", "crm_id=42"},
			stdout: []string{"Created deletion request " + id + ", now in Review", "dsrhost request approve " + id}},
		{args: []string{"request", "list"},
			stdout: []string{"ID", "TYPE", "STAGE", "DUE", "CREATED", id, "deletion", "Process (Extracting Personal Data)", "2025-07-17", "2025-06-02 10:00 UTC"},
			stderr: []string{"-page-token=01JWR1AV80NZ7Z490N9NNHGF7V"}},
		{args: []string{"request", "list", "-all", "-stage", "process", "-status", "error", "-integration", "heap", "-type", "deletion"},
			stdout: []string{id, secondID},
			check: func(t *testing.T) {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if rec.filter.Stage != state.StageProcess || rec.filter.IntegrationStatus != state.Error || rec.filter.Integration != "heap" || rec.filter.Type != "deletion" {
					t.Errorf("filter %+v", rec.filter)
				}
			}},
		{args: []string{"request", "get", strings.ToLower(id)},
			stdout: []string{"Stage", "Process (Extracting Personal Data)", "subject@example.com", "Integrations:",
				"crm", "Synchronous API", "Complete 3 records found", "Error (auth 401): Rotate the API key.", "Manual tasks:", "paper-archive", "Shred it."}},
		{args: []string{"request", "approve", id, "-source", "crm", "-source", "paper-archive"},
			stdout: []string{"Approved request " + id + ": now in Process"},
			check: func(t *testing.T) {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if !slices.Equal(rec.sources, []string{"crm", "paper-archive"}) {
					t.Errorf("sources %q", rec.sources)
				}
			}},
		{args: []string{"request", "reject", id, "-reason", "Not verified", "-subject", "About your request"},
			stdout: []string{"Rejected request " + id + ": now in Closed (rejected)"},
			check: func(t *testing.T) {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if rec.reason != "Not verified" || rec.reply.Subject != "About your request" {
					t.Errorf("reason %q, reply %+v", rec.reason, rec.reply)
				}
			}},
		{args: []string{"request", "approve-deletion", id}, stdout: []string{"Approved deletion for request " + id}},
		{args: []string{"request", "close", id, "-body", "All done."},
			stdout: []string{"Closed request " + id + ": now in Closed (completed)"},
			check: func(t *testing.T) {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if rec.reply.Body != "All done." {
					t.Errorf("reply %+v", rec.reply)
				}
			}},
		{args: []string{"request", "history", id},
			stdout: []string{"TIME", "EVENT", "ACTOR", "request.created", apitest.OperatorName, "crm (Extracting Personal Data)", "Complete 3 records found"}},
		{args: []string{"request", "watch", "-until-closed", watchedID},
			stdout: []string{"Request " + watchedID + " is in Process (Extracting Personal Data).",
				"stage.changed", "Process (by system); request in Closed (completed)"}},
		{args: []string{"integration", "list"},
			stdout: []string{"NAME", "HEALTH", "crm", "genericrest", "0.1.0", "access,delete", "heap", "restarting (2 restarts, plugin exited)",
				"paper-archive", "Manual", "deletion,do_not_mail"}},
		{args: []string{"integration", "list", "-category", "Analytics"}, stdout: []string{"heap"}},
		{args: []string{"integration", "test", "crm"}, stdout: []string{"crm: the check passed."}},
		{args: []string{"integration", "test", "heap"}, code: 1,
			stdout: []string{"heap: the check failed.", "the API key lacks the delete scope", "permission (status 403): forbidden", "To fix: Grant the delete scope."}},
		{args: []string{"integration", "retry", id, "heap"}, stdout: []string{"heap on request " + id + " (Extracting Personal Data): Pending."}},
		{args: []string{"integration", "stop", id, "heap"}, stdout: []string{"Complete Stopped processing"}},
		{args: []string{"integration", "skip", id, "heap"}, stdout: []string{"Complete Access skipped"}},
		{args: []string{"integration", "complete", id, "paper-archive", "-note", "Shredded"},
			stdout: []string{"Marked paper-archive done on request " + id},
			check: func(t *testing.T) {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if rec.note != "Shredded" {
					t.Errorf("note %q", rec.note)
				}
			}},

		// Errors that say what to do.
		{args: []string{"request", "get", unknownID}, code: 1, stderr: []string{"not found", "dsrhost request list"}},
		{args: []string{"integration", "retry", id, "crm"}, code: 1, stderr: []string{"only one in Error or Processing can be retried", "dsrhost request get"}},
		{args: []string{"request", "create", "-type", "deletion", "-email", "ada@example.com", "-token", apitest.ViewerToken}, code: 1,
			stderr: []string{"has role viewer", "needs role operator"}},
		{args: []string{"request", "list", "-token", "wrong"}, code: 1, stderr: []string{"Set DSRHOST_TOKEN"}},
		{args: []string{"request", "create", "-type", "deletion", "-email", "not-an-address"}, code: 1,
			stderr: []string{"subject.email", "dsrhost request create -h"}},

		// Usage mistakes exit 2.
		{args: []string{"request"}, code: 2, stderr: []string{"Subcommands:", "approve-deletion"}},
		{args: []string{"integration"}, code: 2, stderr: []string{"Subcommands:", "retry"}},
		{args: []string{"request", "get"}, code: 2, stderr: []string{"expected one request ID", "dsrhost request get -h"}},
		{args: []string{"request", "create", "-email", "ada@example.com"}, code: 2, stderr: []string{"-type and -email are required"}},
		{args: []string{"request", "create", "-type", "erase", "-email", "ada@example.com"}, code: 2, stderr: []string{"-type must be one of access, deletion"}},
		{args: []string{"request", "list", "-stage", "done"}, code: 2, stderr: []string{"-stage must be one of closed, process, reply, review"}},
		{args: []string{"request", "list", "-limit", "0"}, code: 2, stderr: []string{"-limit must be between 1 and 1000"}},
		{args: []string{"request", "list", "-due-before", "soon"}, code: 2, stderr: []string{"-due-before must be"}},
		{args: []string{"request", "list", "-format", "yaml"}, code: 2, stderr: []string{`-format must be "table" or "json"`}},
		{args: []string{"request", "list", "-nope"}, code: 2, stderr: []string{"flag provided but not defined: -nope"}},
		{args: []string{"integration", "retry", id}, code: 2, stderr: []string{"expected REQUEST_ID and NAME"}},
		{args: []string{"request", "close", id, "-body", "x", "-body-file", "y"}, code: 2, stderr: []string{"-body or -body-file"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := runCLI(t, tt.args...)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, tt.code, res.stdout, res.stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(res.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, res.stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(res.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, res.stderr)
				}
			}
			if tt.check != nil {
				tt.check(t)
			}
		})
	}
}

// TestClientCommandsJSON checks -format json prints the API's own JSON, one
// document scripts can parse, for each kind of command.
func TestClientCommandsJSON(t *testing.T) {
	cliServer(t)
	tests := []struct {
		args []string
		// path walks the document to a string value; want is that value.
		path []string
		want string
	}{
		{[]string{"request", "create", "-type", "access", "-email", "ada@example.com"}, []string{"request", "type"}, "REQUEST_TYPE_ACCESS"},
		{[]string{"request", "get", id}, []string{"request", "integrations", "0", "label"}, "Complete 3 records found"},
		{[]string{"request", "list", "-all"}, []string{"requests", "1", "id"}, secondID},
		{[]string{"request", "history", id}, []string{"events", "0", "actor"}, apitest.OperatorName},
		{[]string{"request", "approve", id}, []string{"request", "stage"}, "STAGE_PROCESS"},
		{[]string{"request", "close", id}, []string{"request", "outcome"}, "OUTCOME_COMPLETED"},
		{[]string{"integration", "list"}, []string{"integrations", "1", "health", "state"}, "restarting"},
		{[]string{"integration", "stop", id, "heap"}, []string{"integration", "label"}, "Complete Stopped processing"},
		{[]string{"integration", "complete", id, "paper-archive"}, []string{"task", "doneBy"}, apitest.OperatorName},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := runCLI(t, append(tt.args, "-format", "json")...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			var doc any
			if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, res.stdout)
			}
			v := doc
			for _, step := range tt.path {
				switch n := v.(type) {
				case map[string]any:
					v = n[step]
				case []any:
					var i int
					fmt.Sscan(step, &i)
					if i >= len(n) {
						t.Fatalf("%v: index %d out of range in\n%s", tt.path, i, res.stdout)
					}
					v = n[i]
				}
			}
			if v != tt.want {
				t.Errorf("%v = %v, want %q\n%s", tt.path, v, tt.want, res.stdout)
			}
		})
	}
}

// TestExportCommand writes the archive, never over an existing file.
func TestExportCommand(t *testing.T) {
	cliServer(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "results.zip")
	res := runCLI(t, "request", "export", id, "-o", out)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "Wrote the results of request "+id+" to "+out) {
		t.Errorf("stdout %q", res.stdout)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	zr.Close()
	if !slices.Contains(names, "integrations/crm.json") || !slices.Contains(names, "manifest.json") {
		t.Errorf("entries %q", names)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("archive mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	res = runCLI(t, "request", "export", id, "-o", out)
	if res.code != 1 || !strings.Contains(res.stderr, "choose another file with -o") {
		t.Errorf("second export over the same file: exit %d, %s", res.code, res.stderr)
	}
}

// TestClientEnvironment checks DSRHOST_ADDR and DSRHOST_TOKEN, the flags
// overriding them, and the advice when nothing listens at the address.
func TestClientEnvironment(t *testing.T) {
	srv, _ := cliServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()

	// The environment alone works (cliServer set it).
	if res := runCLI(t, "request", "get", id); res.code != 0 {
		t.Fatalf("with the environment: %d %s", res.code, res.stderr)
	}
	// A bare host:port address works too.
	if res := runCLI(t, "request", "get", id, "-address", srv.Addr); res.code != 0 {
		t.Fatalf("with -address host:port: %d %s", res.code, res.stderr)
	}
	// -address overrides DSRHOST_ADDR.
	res := runCLI(t, "request", "get", id, "-address", "http://"+dead)
	if res.code != 1 || !strings.Contains(res.stderr, "connection refused") || !strings.Contains(res.stderr, "Is `dsrhost server` running there?") ||
		!strings.Contains(res.stderr, dead) {
		t.Errorf("nothing listening: exit %d, stderr %s", res.code, res.stderr)
	}
	// -token overrides DSRHOST_TOKEN.
	t.Setenv("DSRHOST_TOKEN", "")
	res = runCLI(t, "request", "get", id)
	if res.code != 1 || !strings.Contains(res.stderr, "missing bearer token") || !strings.Contains(res.stderr, "Set DSRHOST_TOKEN") {
		t.Errorf("no token: exit %d, stderr %s", res.code, res.stderr)
	}
	if res := runCLI(t, "request", "get", id, "-token", apitest.ViewerToken); res.code != 0 {
		t.Errorf("with -token: %d %s", res.code, res.stderr)
	}
	t.Setenv("DSRHOST_ADDR", "ftp://example")
	res = runCLI(t, "request", "get", id, "-token", apitest.ViewerToken)
	if res.code != 1 || !strings.Contains(res.stderr, "not an http:// or https:// URL") {
		t.Errorf("bad address: exit %d, stderr %s", res.code, res.stderr)
	}
}

// TestClientHelp checks every client command answers -h with its usage and
// an example, exiting 0.
func TestClientHelp(t *testing.T) {
	for name := range clientCommands(nil) {
		t.Run(name, func(t *testing.T) {
			res := runCLI(t, append(strings.Fields(name), "-h")...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			if !strings.Contains(res.stdout, "Usage: dsrhost "+name) || !strings.Contains(res.stdout, "$ dsrhost ") {
				t.Errorf("help lacks usage or example:\n%s", res.stdout)
			}
		})
	}
}

// TestClientTLSHint points at a TLS server whose CA is not trusted: the
// error says to set DSRHOST_CACERT, and -ca-cert fixes it.
func TestClientTLSHint(t *testing.T) {
	srv, _ := cliServer(t)
	ts := httptest.NewUnstartedServer(srv.Server.Handler())
	// The refused handshake is expected: keep it out of the test output.
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	res := runCLI(t, "request", "get", id, "-address", ts.URL)
	if res.code != 1 || !strings.Contains(res.stderr, "DSRHOST_CACERT") {
		t.Fatalf("untrusted certificate: exit %d, stderr %s", res.code, res.stderr)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if res := runCLI(t, "request", "get", id, "-address", ts.URL, "-ca-cert", ca); res.code != 0 {
		t.Fatalf("with -ca-cert: exit %d, stderr %s", res.code, res.stderr)
	}
}
