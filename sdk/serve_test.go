package sdk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// helperEnv makes the test binary act as a plugin (go-plugin's own tests
// do the same): the real process boundary, without building anything.
const helperEnv = "DSRHOST_SDK_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "serve":
		serveOne(&fakeConnector{
			configure: func(_ context.Context, req *ConfigureRequest) (*ConfigureResponse, error) {
				Logger().Info("configured", "integration", req.Integration)
				return &ConfigureResponse{}, nil
			},
			access: func(_ context.Context, req *AccessRequest) (*AccessResponse, error) {
				if req.Job.IdempotencyKey == "crash" {
					os.Exit(3)
				}
				return &AccessResponse{Records: []Record{{ID: "r-1"}}}, nil
			},
		})
	case "procs":
		// Describe reports the GOMAXPROCS the plugin runs with.
		serveOne(&fakeConnector{describe: func(context.Context) (*Description, error) {
			return &Description{Name: "fake", Version: strconv.Itoa(runtime.GOMAXPROCS(0)), Type: AsynchronousAPI,
				Capabilities: []Capability{CapabilityAccess, CapabilityDelete}}, nil
		}})
	case "no-accessor":
		serveOne(describeOnlyDeclaring{caps: []Capability{CapabilityAccess}, typ: SynchronousAPI})
	case "no-poller":
		serveOne(accessorDeclaring{typ: AsynchronousAPI})
	}
	os.Exit(0)
}

// serveOne serves c for every integration, as a connector keeping no
// per-integration state may.
func serveOne(c Connector) { Serve(func() Connector { return c }) }

type describeOnlyDeclaring struct {
	caps []Capability
	typ  IntegrationType
}

func (d describeOnlyDeclaring) Describe(context.Context) (*Description, error) {
	return &Description{Name: "liar", Version: "1", Type: d.typ, Capabilities: d.caps}, nil
}

func (describeOnlyDeclaring) Configure(context.Context, *ConfigureRequest) (*ConfigureResponse, error) {
	return &ConfigureResponse{}, nil
}

type accessorDeclaring struct{ typ IntegrationType }

func (a accessorDeclaring) Describe(context.Context) (*Description, error) {
	return &Description{Name: "halfasync", Version: "1", Type: a.typ, Capabilities: []Capability{CapabilityAccess}}, nil
}

func (accessorDeclaring) Configure(context.Context, *ConfigureRequest) (*ConfigureResponse, error) {
	return &ConfigureResponse{}, nil
}

func (accessorDeclaring) Access(context.Context, *AccessRequest) (*AccessResponse, error) {
	return &AccessResponse{}, nil
}

// helperCmd runs this test binary as the plugin named by mode.
func helperCmd(mode string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	return cmd
}

func selfChecksum(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return sum[:]
}

func TestServeRefusesCapabilitiesItDoesNotImplement(t *testing.T) {
	tests := []struct {
		mode string
		want string
	}{
		{"no-accessor", `connector "liar" declares capability "access" but does not implement sdk.Accessor`},
		{"no-poller", `connector "halfasync" is an Asynchronous API declaring "access" but does not implement sdk.AccessPoller`},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			cmd := helperCmd(tt.mode)
			// The check comes before go-plugin's, so no cookie is needed
			// to see it: an author running the binary by hand sees it too.
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("run = %v, want a non-zero exit", err)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.want)
			}
		})
	}
}

func TestCheckConnector(t *testing.T) {
	tests := []struct {
		name string
		c    Connector
		want []string // each must appear; none means no error
	}{
		{"matching async", &fakeConnector{}, nil},
		{"bare sync declaring nothing", describeOnly{}, nil},
		{"bare declaring both", describeOnlyDeclaring{caps: []Capability{CapabilityAccess, CapabilityDelete}, typ: SynchronousAPI},
			[]string{"sdk.Accessor", "sdk.Deleter"}},
		{"sync accessor needs no poller", accessorDeclaring{typ: SynchronousAPI}, nil},
		{"async accessor needs a poller", accessorDeclaring{typ: AsynchronousAPI}, []string{"sdk.AccessPoller"}},
		{"describe fails", &fakeConnector{describe: func(context.Context) (*Description, error) { return nil, errors.New("no") }},
			[]string{"describe: no"}},
		{"describe returns nothing", &fakeConnector{describe: func(context.Context) (*Description, error) { return nil, nil }},
			[]string{"no description"}},
		{"nil connector", nil, []string{"no connector"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkConnector(tt.c)
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("checkConnector = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("checkConnector = nil, want an error naming %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestPluginProcessEndToEnd(t *testing.T) {
	logs := &testlog.Buffer{}
	logger := hclog.New(&hclog.LoggerOptions{Name: "host", Level: hclog.Debug, Output: logs})
	cmd := helperCmd("serve")
	client := plugin.NewClient(ClientConfig(cmd, selfChecksum(t), logger))
	t.Cleanup(client.Kill)

	remote, err := Dispense(client)
	if err != nil {
		t.Fatalf("Dispense: %v", err)
	}
	if client.Protocol() != plugin.ProtocolGRPC {
		t.Errorf("protocol = %s, want grpc", client.Protocol())
	}
	if v := client.NegotiatedVersion(); v != ProtocolVersion {
		t.Errorf("negotiated version = %d, want %d", v, ProtocolVersion)
	}
	ctx := context.Background()
	d, err := remote.Describe(ctx)
	if err != nil || d.Name != "fake" {
		t.Fatalf("Describe = %+v, %v", d, err)
	}
	if _, err := remote.Configure(ctx, &ConfigureRequest{Integration: "crm-eu"}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	resp, err := remote.Access(ctx, &AccessRequest{Job: Job{IdempotencyKey: "ok", Integration: "crm-eu"}})
	if err != nil {
		t.Fatalf("Access: %v", err)
	}
	if diff := cmp.Diff(&AccessResponse{Records: []Record{{ID: "r-1"}}}, resp); diff != "" {
		t.Errorf("Access (-want +got):\n%s", diff)
	}

	// The process dies mid-call: the host sees a retryable plugin_crashed.
	_, err = remote.Access(ctx, &AccessRequest{Job: Job{IdempotencyKey: "crash", Integration: "crm-eu"}})
	if e := asError(t, err); e.Type != ErrorPluginCrashed || !e.Retryable {
		t.Errorf("Access on a dying plugin = %#v, want a retryable plugin_crashed", e)
	}

	// Kill waits for the plugin's stderr to drain into the host's logger.
	client.Kill()
	// The plugin's JSON log line arrives at its level, with its key/value
	// pairs, under the binary's name.
	binName := "host." + filepath.Base(os.Args[0])
	want := "[INFO]  " + binName + ": configured: integration=crm-eu"
	if !strings.Contains(logs.String(), want) {
		t.Errorf("host log lacks %q:\n%s", want, logs.String())
	}
}

func TestChecksumMismatchIsRefused(t *testing.T) {
	wrong := sha256.Sum256([]byte("not this binary"))
	client := plugin.NewClient(ClientConfig(helperCmd("serve"), wrong[:], hclog.NewNullLogger()))
	t.Cleanup(client.Kill)
	_, err := Dispense(client)
	if !errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
		t.Errorf("Dispense = %v, want ErrChecksumsDoNotMatch", err)
	}
}

func TestClientConfig(t *testing.T) {
	cmd := exec.Command("/bin/true")
	sum := []byte{1, 2, 3}
	cfg := ClientConfig(cmd, sum, hclog.NewNullLogger())
	if !cfg.AutoMTLS {
		t.Error("AutoMTLS is off")
	}
	if diff := cmp.Diff([]plugin.Protocol{plugin.ProtocolGRPC}, cfg.AllowedProtocols); diff != "" {
		t.Errorf("AllowedProtocols (-want +got):\n%s", diff)
	}
	if cfg.SecureConfig == nil || !bytes.Equal(cfg.SecureConfig.Checksum, sum) || cfg.SecureConfig.Hash == nil {
		t.Errorf("SecureConfig = %+v, want the checksum and a hash", cfg.SecureConfig)
	}
	if cfg.HandshakeConfig != Handshake {
		t.Errorf("HandshakeConfig = %+v", cfg.HandshakeConfig)
	}
	if _, ok := cfg.VersionedPlugins[ProtocolVersion][PluginName]; !ok {
		t.Errorf("VersionedPlugins has no %q at version %d", PluginName, ProtocolVersion)
	}
	if cfg.Cmd != cmd {
		t.Error("Cmd not passed through")
	}
	if ClientConfig(cmd, nil, nil).SecureConfig != nil {
		t.Error("SecureConfig set without a checksum")
	}
}
