package devmode

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/examples/genericrest/demoapi"
	"github.com/dsrhost/dsrhost/examples/mailsink"
	"github.com/dsrhost/dsrhost/plugins/heap/fakeheap"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/hcl/v2"
	"github.com/redis/go-redis/v9"
)

// DefaultListenAddress is where the dev daemon serves, as Vault's -dev does.
const DefaultListenAddress = "127.0.0.1:8700"

// Demo credentials of the demo services: they protect nothing.
const (
	crmToken   = "demo-crm-token"
	heapAppID  = "1234"
	heapAPIKey = "demo-heap-api-key"
)

// DemoSubject is the person the demo CRM and Heap stand-in know, so a
// request for them finds and deletes records.
const DemoSubject = "ada@example.com"

// Options configure the dev environment.
type Options struct {
	// ListenAddress is the admin API's address (-dev-listen-address).
	ListenAddress string
	// RootToken is the admin token (-dev-root-token-id); random if empty.
	RootToken string
	// PluginDir holds the dsrhost-plugin-* binaries.
	PluginDir string
	Logger    hclog.Logger
}

// Env is a running dev environment.
type Env struct {
	// Redis is a client of the embedded Redis.
	Redis redis.UniversalClient
	// RootToken is the admin token to use with the CLI.
	RootToken string
	// ListenAddress is where the daemon serves.
	ListenAddress string
	// MailSink receives the Direct Contact emails.
	MailSink *mailsink.Sink

	logger   hclog.Logger
	mini     *miniredis.Miniredis
	servers  []*http.Server
	hcl      []byte
	sqlDir   string // the demo SQLite database's directory
	stopTick chan struct{}
	wg       sync.WaitGroup
}

// Start brings up the embedded Redis and the demo services and generates
// the configuration.
func Start(opts Options) (env *Env, err error) {
	if opts.ListenAddress == "" {
		opts.ListenAddress = DefaultListenAddress
	}
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.RootToken == "" {
		opts.RootToken = randomToken()
	}
	e := &Env{RootToken: opts.RootToken, ListenAddress: opts.ListenAddress, logger: opts.Logger, stopTick: make(chan struct{})}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()

	if e.mini, err = miniredis.Run(); err != nil {
		return nil, fmt.Errorf("start embedded redis: %w", err)
	}
	e.Redis = redis.NewClient(&redis.Options{Addr: e.mini.Addr()})
	e.wg.Add(1)
	go e.tick()

	crm := demoapi.NewCRM(crmToken, 50)
	crm.Add(DemoSubject, "Ada Lovelace")
	crm.Add(DemoSubject, "A. Lovelace (duplicate)")
	crmAddr, err := e.serve(crm)
	if err != nil {
		return nil, err
	}
	heap := fakeheap.New(fakeheap.Config{AppID: heapAppID, APIKey: heapAPIKey, PendingPolls: 2})
	heapAddr, err := e.serve(heap)
	if err != nil {
		return nil, err
	}
	mailLog := opts.Logger.Named("mailsink")
	e.MailSink, err = mailsink.Start("127.0.0.1:0", func(m mailsink.Email) {
		// Dev mode only: the demo processor's link is what the newcomer
		// needs to answer, so it is logged here on purpose.
		// So are the privacy center's verification and download links.
		mailLog.Info("email", "to", strings.Join(m.To, ","), "subject", m.Subject,
			"links", strings.Join(m.Links, " "))
	})
	if err != nil {
		return nil, err
	}

	sinkPort := e.MailSink.Addr[strings.LastIndex(e.MailSink.Addr, ":")+1:]
	plugins, err := pluginBlocks(opts.PluginDir)
	if err != nil {
		return nil, err
	}
	e.hcl = []byte(fmt.Sprintf(devConfig,
		opts.ListenAddress, opts.ListenAddress, e.mini.Addr(), randomKey(), hashToken(opts.RootToken),
		plugins, crmAddr, crmToken, heapAppID, heapAPIKey, heapAddr, sinkPort, sinkPort) +
		fmt.Sprintf(devPrivacyCenter, opts.ListenAddress, opts.ListenAddress))
	shop, err := e.sqlDemo()
	if err != nil {
		return nil, err
	}
	e.hcl = append(e.hcl, shop...)
	return e, nil
}

// Load parses the generated configuration; it is the agent's loader.
func (e *Env) Load() (*config.Config, *config.Files, hcl.Diagnostics) {
	return config.Parse("dev.hcl", e.hcl)
}

// Config is the generated configuration's text.
func (e *Env) Config() []byte { return e.hcl }

// Close stops everything dev mode started.
func (e *Env) Close() {
	select {
	case <-e.stopTick:
	default:
		close(e.stopTick)
	}
	e.wg.Wait()
	for _, s := range e.servers {
		_ = s.Close()
	}
	if e.sqlDir != "" {
		_ = os.RemoveAll(e.sqlDir)
	}
	if e.MailSink != nil {
		_ = e.MailSink.Close()
	}
	if e.Redis != nil {
		_ = e.Redis.Close()
	}
	if e.mini != nil {
		e.mini.Close()
	}
}

// tick advances miniredis's clock with real time: it expires keys only
// when told to, and asynq's leases and locks rely on expiry.
func (e *Env) tick() {
	defer e.wg.Done()
	const step = 250 * time.Millisecond
	t := time.NewTicker(step)
	defer t.Stop()
	for {
		select {
		case <-e.stopTick:
			return
		case <-t.C:
			e.mini.FastForward(step)
		}
	}
}

func (e *Env) serve(h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("start demo service: %w", err)
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	e.servers = append(e.servers, s)
	go func() { _ = s.Serve(l) }()
	return l.Addr().String(), nil
}

// pluginBlocks declares the shipped plugins with their checksums computed
// now, as dev mode trusts the binaries it was started beside.
func pluginBlocks(dir string) (string, error) {
	var b strings.Builder
	for _, name := range config.BuiltinPlugins() {
		path := filepath.Join(dir, "dsrhost-plugin-"+name)
		sum, err := pluginhost.HashFile(path)
		if err != nil {
			return "", fmt.Errorf("dev mode needs the shipped plugins beside dsrhost (run `make build`): %w", err)
		}
		fmt.Fprintf(&b, "plugin %q {\n  command = %q\n  sha256  = %q\n}\n\n", name, path, hex.EncodeToString(sum))
	}
	return b.String(), nil
}

func randomToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return "dev-" + base64.RawURLEncoding.EncodeToString(b)
}

func randomKey() string {
	b := make([]byte, config.KeySize)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
