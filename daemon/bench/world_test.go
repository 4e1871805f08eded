package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"github.com/hashicorp/go-hclog"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/agent"
	"github.com/dsrhost/dsrhost/daemon/internal/testbin"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// world is what the sub-benchmarks share: the installed binaries.
type world struct {
	// bin holds dsrhost and the plugins, as `make build` lays them out.
	bin string
	// echo is the bare go-plugin echo plugin.
	echo string
}

func newWorld(b *testing.B) *world {
	b.Helper()
	return &world{
		bin:  testbin.Install(b),
		echo: sdktest.Build(b, "github.com/dsrhost/dsrhost/daemon/bench/internal/echoplugin"),
	}
}

// testConnector is the connector plugin every benchmark runs.
func (w *world) testConnector() string { return filepath.Join(w.bin, "dsrhost-plugin-test") }

// integ is one integration of the test connector in a configuration.
type integ struct {
	Name string
	// Type is the connector's -type: sync, async or whole_record.
	Type    string
	Records int
}

// threeIntegrations are the daemon's plugins for the scale, idle and
// start benchmarks: one of each API type.
var threeIntegrations = []integ{{"crm", "sync", 0}, {"analytics", "async", 0}, {"eraser", "whole_record", 0}}

// setup is a daemon configuration.
type setup struct {
	Listen string
	Redis  string
	// Token is the admin bearer token; the configuration holds its hash.
	Token        string
	Integrations []integ
	// AutoApprove lists request types that skip Review.
	AutoApprove []string
}

// benchKey is the encryption key of benchmark configurations (not a
// secret: the data is synthetic).
const benchKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

var configTemplate = template.Must(template.New("hcl").Funcs(template.FuncMap{"hash": hashHex}).Parse(`
server {
  listen = {{printf "%q" .Listen}}
}
redis {
  url = "redis://{{.Redis}}/0"
}
encryption_key = {{printf "%q" .Key}}
admin_token "bench" {
  sha256 = {{printf "%q" (hash .Token)}}
  role   = "admin"
}
{{range .AutoApprove}}
request_type {{printf "%q" .}} {
  auto_approve = true
}
{{end}}
{{range .Integrations}}
plugin "test-{{.Name}}" {
  command = {{printf "%q" $.Plugin}}
  args    = ["-type", {{printf "%q" .Type}}]
  sha256  = {{printf "%q" $.PluginSum}}
}
integration {{printf "%q" .Name}} {
  plugin = "test-{{.Name}}"
  settings {
    token   = "bench"
    records = {{.Records}}
  }
}
{{end}}
`))

// config writes s as a configuration file and returns its path.
func (w *world) config(b testing.TB, s setup) string {
	b.Helper()
	sum, err := fileSHA256(w.testConnector())
	if err != nil {
		b.Fatal(err)
	}
	var out strings.Builder
	err = configTemplate.Execute(&out, struct {
		setup
		Key, Plugin, PluginSum string
	}{s, benchKey, w.testConnector(), sum})
	if err != nil {
		b.Fatalf("render configuration: %v", err)
	}
	path := filepath.Join(b.TempDir(), "dsrhost.hcl")
	if err := os.WriteFile(path, []byte(out.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// newToken returns a random admin token.
func newToken() string { return "bench-" + rand.Text() }

// freeAddr returns a free 127.0.0.1 address.
func freeAddr(b testing.TB) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// control is the daemon's code in the benchmark process (configuration,
// plugins, engine), not started: it writes requests as the admin API
// would, and reads them.
func control(b testing.TB, configPath string, logger hclog.Logger) *agent.Agent {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := agent.New(ctx, agent.Options{ConfigPath: configPath, Logger: logger})
	if err != nil {
		b.Fatalf("start the daemon's code in-process: %v", err)
	}
	b.Cleanup(a.Shutdown)
	return a
}

// quietLogger keeps the benchmark's own output to the table: warnings
// and errors only.
func quietLogger() hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: "bench", Level: hclog.Warn, Output: os.Stderr})
}

// startRedis runs a redis-server for one sub-benchmark.
func startRedis(b testing.TB) *testredis.Server { return testredis.Start(b) }

// usedMemory is Redis's used_memory from INFO memory.
func usedMemory(ctx context.Context, rdb redis.UniversalClient) (int64, error) {
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0, fmt.Errorf("redis INFO memory: %w", err)
	}
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("redis INFO memory has no used_memory")
}

// daemonLogger logs as `dsrhost server` does by default (info level),
// into a bounded buffer printed only if the benchmark fails, so the
// measured code formats the same lines as in production.
func daemonLogger(b testing.TB) hclog.Logger {
	buf := &testlog.Buffer{Limit: 1 << 20}
	b.Cleanup(func() {
		if b.Failed() {
			b.Logf("daemon log:\n%s", buf)
		}
	})
	return hclog.New(&hclog.LoggerOptions{Name: "dsrhost", Level: hclog.Info, Output: buf})
}
