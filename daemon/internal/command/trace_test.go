package command

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
)

// TestOneTraceFromAPIToPlugin runs `dsrhost server` in this process with
// an in-memory span exporter and finds, for one CreateRequest whose type
// is auto-approved, one trace: the caller's span, the admin API call, the
// engine's job (carried through the asynq task), the connector call and
// its gRPC call to the plugin process, each the child of the one before.
func TestOneTraceFromAPIToPlugin(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	bin := testbin.Install(t)
	rs := testredis.Start(t)
	addr := freeLoopback(t)
	cfg := fmt.Sprintf(`
server {
  listen = %q
}
redis {
  url = "redis://%s/0"
}
encryption_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
admin_token "ops" {
  sha256 = %q
  role   = "admin"
}
request_type "access" {
  auto_approve = true
}
telemetry {
  prometheus_metrics = true
}
plugin "test" {
  command = %q
  args    = ["-type", "sync"]
}
integration "crm" {
  plugin = "test"
  settings {
    token = "t"
  }
}
`, addr, rs.Addr, auth.Hash("ops-token"), filepath.Join(bin, "dsrhost-plugin-test"))
	path := filepath.Join(t.TempDir(), "dsrhost.hcl")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan os.Signal, 1)
	var out, errOut testlog.Buffer
	c := &ServerCommand{Stdout: &out, Stderr: &errOut, signals: sigs}
	done := make(chan int)
	go func() { done <- c.Run([]string{"-config", path}) }()
	t.Cleanup(func() {
		sigs <- syscall.SIGTERM
		if code := <-done; code != 0 {
			t.Errorf("server exited %d:\n%s", code, errOut.String())
		}
	})
	testbin.WaitServing(t, addr, errOut.String)

	ctx, root := tp.Tracer("test").Start(context.Background(), "caller")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/dsrhost.admin.v1.RequestService/CreateRequest",
		strings.NewReader(`{"type":"REQUEST_TYPE_ACCESS","subject":{"email":"ada@example.com"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer ops-token")
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	root.End()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateRequest: HTTP %d", resp.StatusCode)
	}

	chain := []string{
		"caller",
		"/dsrhost.admin.v1.RequestService/CreateRequest",
		"task dsrhost:run",
		"connector Access",
		"dsrhost.connector.v1.ConnectorService/Access",
	}
	deadline := time.Now().Add(time.Minute)
	for {
		spans := exp.GetSpans()
		missing := checkChain(spans, root.SpanContext().TraceID(), chain)
		if missing == "" {
			for _, s := range spans {
				for _, a := range s.Attributes {
					if a.Key == "dsrhost.request_id" {
						t.Errorf("span %q carries a request id though trace_request_ids is off", s.Name)
					}
				}
			}
			return
		}
		if time.Now().After(deadline) {
			var names []string
			for _, s := range spans {
				names = append(names, fmt.Sprintf("%s (trace %s, parent %s)", s.Name, s.SpanContext.TraceID(), s.Parent.SpanID()))
			}
			t.Fatalf("%s\nspans:\n%s\nlog:\n%s", missing, strings.Join(names, "\n"), errOut.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkChain says what is missing for chain to be a line of spans in
// trace, each the parent of the next; "" when it is all there.
func checkChain(spans tracetest.SpanStubs, tid trace.TraceID, chain []string) string {
	var parent trace.SpanID
	for i, name := range chain {
		found := false
		for _, s := range spans {
			if s.Name == name && s.SpanContext.TraceID() == tid && (i == 0 || s.Parent.SpanID() == parent) {
				parent, found = s.SpanContext.SpanID(), true
				break
			}
		}
		if !found {
			if i == 0 {
				return fmt.Sprintf("no span %q in trace %s", name, tid)
			}
			return fmt.Sprintf("no span %q in trace %s under %q", name, tid, chain[i-1])
		}
	}
	return ""
}

// freeLoopback returns a free 127.0.0.1 address.
func freeLoopback(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
