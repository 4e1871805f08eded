package agent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/flow"
	"github.com/dsrhost/dsrhost/daemon/internal/inventory"
	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/daemon/internal/privacycenter"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
	"github.com/dsrhost/dsrhost/daemon/internal/respond"
	"github.com/dsrhost/dsrhost/daemon/internal/respond/linktoken"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/hcl/v2"
	"github.com/redis/go-redis/v9"
)

// Options configure an Agent.
type Options struct {
	// ConfigPath is the file read at start and on every reload.
	ConfigPath string
	// Load reads the configuration; nil uses config.Load on ConfigPath.
	// Dev mode supplies its own.
	Load func() (*config.Config, *config.Files, hcl.Diagnostics)
	// Redis, when set, is used instead of the configured one (dev mode's
	// embedded Redis), and its settings are not checked (see checkRedis).
	Redis redis.UniversalClient
	// Resolve turns a plugin's command into the path to launch.
	Resolve func(p *config.Plugin) string
	Logger  hclog.Logger
	// Engine tunes the workflow engine; Keys and Logger are set here, and
	// Flow when nil.
	Engine engine.Options
	// OnFlowWait, when set, is told each time a job waits for its
	// integration's concurrency or rate limit (for metrics); it must not
	// block.
	OnFlowWait func(integration, reason string)
	// DrainTimeout is how long the plugins of a replaced configuration keep
	// running after a reload, so calls in flight finish (default 30s).
	DrainTimeout time.Duration
	// PrivacyMetrics counts what subjects do in the privacy center (nil:
	// the Prometheus metrics of the telemetry block, when on).
	PrivacyMetrics privacycenter.Metrics
	// Version and Commit label dsrhost_build_info and traces.
	Version, Commit string
	// TelemetryInterval is how often /metrics' queue and request counts
	// are read from Redis (default 15s).
	TelemetryInterval time.Duration
}

// Agent is a running daemon.
type Agent struct {
	opts   Options
	logger hclog.Logger
	rdb    redis.UniversalClient
	engine *engine.Engine
	// responder serves Direct Contact processors' answers; signer makes
	// their links (replaced on reload, as public_url may change).
	responder *respond.Responder
	signer    atomic.Pointer[linktoken.Signer]
	// tokens are the admin tokens; mailer the replies to subjects. Both
	// follow reloads.
	tokens *auth.Tokens
	mailer atomic.Pointer[reply.Mailer]
	// privacy serves the subjects' pages; nil when off.
	privacy *privacycenter.Center

	mu   sync.RWMutex
	cfg  *config.Config
	host *pluginhost.Host
	inv  *inventory.Inventory

	reloadMu sync.Mutex
	drains   sync.WaitGroup
	// stopDrains, closed by Shutdown, ends every drain at once: a SIGTERM
	// soon after a reload need not wait DrainTimeout.
	stopDrains chan struct{}
	shutOnce   sync.Once

	keys *seal.KeyRing
	obs  observability
}

// ConfigError is a configuration with errors: the diagnostics, and the
// files to show them against.
type ConfigError struct {
	Diags hcl.Diagnostics
	Files *config.Files
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("configuration has %d errors", len(e.Diags.Errs()))
}

// New loads the configuration, connects to Redis, launches and configures
// every plugin, and creates the engine. It starts no work: call Start.
func New(ctx context.Context, opts Options) (*Agent, error) {
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = 30 * time.Second
	}
	if opts.Load == nil {
		opts.Load = func() (*config.Config, *config.Files, hcl.Diagnostics) { return config.Load(opts.ConfigPath) }
	}
	a := &Agent{opts: opts, logger: opts.Logger, stopDrains: make(chan struct{})}

	// Redis is connected to and checked while the plugins launch, the
	// slowest part of a start; a configuration error still comes first.
	var redisErr chan error
	l, err := a.load(ctx, nil, func(cfg *config.Config) {
		redisErr = make(chan error, 1)
		go func() { redisErr <- a.connectRedis(ctx, cfg) }()
	})
	if redisErr != nil {
		if rerr := <-redisErr; err == nil {
			err = rerr
		}
	}
	if err != nil {
		if l != nil {
			l.host.Close()
		}
		a.closeOwnRedis()
		return nil, err
	}
	cfg, host := l.cfg, l.host
	a.cfg, a.host, a.inv = l.cfg, l.host, l.inv
	if err := a.startTelemetry(ctx, cfg); err != nil {
		host.Close()
		return nil, err
	}
	started := false
	defer func() {
		if !started {
			a.stopTelemetry()
		}
	}()
	a.signer.Store(l.signer)
	a.mailer.Store(l.mailer)

	keys, err := keyRing(cfg)
	if err != nil {
		host.Close()
		return nil, err
	}
	a.keys = keys
	if a.tokens, err = auth.NewTokens(cfg.AdminTokens); err != nil {
		host.Close()
		return nil, fmt.Errorf("admin tokens: %w", err)
	}
	eopts := opts.Engine
	eopts.Keys = keys
	eopts.ResponseURL = func(ctx context.Context, link engine.ResponseLink) (string, error) {
		return a.signer.Load().ResponseURL(ctx, link)
	}
	eopts.Logger = opts.Logger // the engine names its own
	if eopts.Flow == nil {
		eopts.Flow = flow.New(a.rdb, cmp.Or(eopts.Prefix, "dsrhost"))
		eopts.Flow.OnWait = a.flowWaitHook(opts.OnFlowWait)
	}
	if eopts.ResultsRetention == 0 {
		eopts.ResultsRetention = cfg.ResultsRetention.Duration
	}
	a.engine, err = engine.New(a.rdb, engineConfig(cfg, l.inv), connectors{a}, eopts)
	if err != nil {
		host.Close()
		return nil, fmt.Errorf("start engine: %w", err)
	}
	a.responder, err = respond.New(respond.Options{
		Engine: a.engine,
		Signer: l.signer,
		Ledger: linktoken.NewLedger(a.rdb, linktoken.LedgerOptions{Prefix: cmp.Or(eopts.Prefix, "dsrhost")}),
		Clock:  eopts.Clock,
		Logger: opts.Logger.Named("respond"),
	})
	if err != nil {
		host.Close()
		return nil, fmt.Errorf("direct contact answers: %w", err)
	}
	if err := a.newPrivacyCenter(cfg, keys, eopts); err != nil {
		host.Close()
		return nil, err
	}
	a.startCollector(cfg, eopts.Prefix)
	started = true
	return a, nil
}

// Tokens are the admin tokens the API accepts.
func (a *Agent) Tokens() *auth.Tokens { return a.tokens }

// Responder serves Direct Contact processors' answers: the page under
// /respond/ and DirectContactService.
func (a *Agent) Responder() *respond.Responder { return a.responder }

// loaded is everything built from one configuration: what a start sets up
// and a reload swaps in.
type loaded struct {
	cfg    *config.Config
	host   *pluginhost.Host
	inv    *inventory.Inventory
	signer *linktoken.Signer
	mailer *reply.Mailer
}

// load reads the configuration, brings up its plugins on a new host, and
// builds its link signer and replier. parsed, if not nil, is called with a
// configuration free of errors before its plugins launch. On error
// nothing is left running.
func (a *Agent) load(ctx context.Context, prev *pluginhost.Host, parsed func(*config.Config)) (*loaded, error) {
	cfg, files, diags := a.opts.Load()
	if diags.HasErrors() {
		return nil, &ConfigError{Diags: diags, Files: files}
	}
	if parsed != nil {
		parsed(cfg)
	}
	host := pluginhost.New(a.logger, pluginhost.Options{})
	inv, pdiags := inventory.Build(ctx, cfg, host, inventory.Options{Resolve: a.opts.Resolve, Previous: prev})
	diags = append(diags, pdiags...)
	if diags.HasErrors() {
		host.Abandon()
		return nil, &ConfigError{Diags: diags, Files: files}
	}
	for _, d := range diags {
		a.logger.Warn("configuration warning", "summary", d.Summary, "at", d.Subject)
	}
	signer, err := newSigner(cfg)
	if err != nil {
		host.Abandon()
		return nil, err
	}
	mailer, err := newMailer(cfg)
	if err != nil {
		host.Abandon()
		return nil, err
	}
	return &loaded{cfg: cfg, host: host, inv: inv, signer: signer, mailer: mailer}, nil
}

func keyRing(cfg *config.Config) (*seal.KeyRing, error) {
	primary, err := seal.NewKey(cfg.EncryptionKey[:])
	if err != nil {
		return nil, fmt.Errorf("encryption_key: %w", err)
	}
	var older []seal.Key
	for i, k := range cfg.PreviousEncryptionKeys {
		key, err := seal.NewKey(k[:])
		if err != nil {
			return nil, fmt.Errorf("previous_encryption_keys[%d]: %w", i, err)
		}
		older = append(older, key)
	}
	return seal.NewKeyRing(primary, older...)
}

// Start runs the engine's workers.
func (a *Agent) Start() error {
	if err := a.engine.Start(); err != nil {
		return fmt.Errorf("start engine workers: %w", err)
	}
	return nil
}

// Engine is the workflow engine, for the admin API.
func (a *Agent) Engine() *engine.Engine { return a.engine }

// Config is the configuration in force.
func (a *Agent) Config() *config.Config {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.cfg
}

func (a *Agent) inventory() *inventory.Inventory {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.inv
}

// Inventory is the running integrations.
func (a *Agent) Inventory() *inventory.Inventory { return a.inventory() }

// ReloadResult says what a reload changed.
type ReloadResult struct {
	Added, Removed, Changed []string
}

// Reload reads the configuration again. A bad file, or a plugin that fails
// to start or configure, leaves the running configuration in force and
// returns a *ConfigError. Otherwise new jobs use the new plugins at once,
// while the old plugins keep serving calls already in flight for
// DrainTimeout before they are stopped; requests already planned keep
// their integrations.
func (a *Agent) Reload(ctx context.Context) (*ReloadResult, error) {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	a.mu.RLock()
	running := a.host
	a.mu.RUnlock()
	l, err := a.load(ctx, running, nil)
	if err != nil {
		return nil, err
	}
	if err := a.checkRedis(ctx); err != nil {
		l.host.Abandon()
		return nil, err
	}
	if err := a.engine.SetConfig(engineConfig(l.cfg, l.inv)); err != nil {
		l.host.Abandon()
		return nil, fmt.Errorf("apply configuration: %w", err)
	}
	a.mu.Lock()
	oldCfg, oldHost, oldInv := a.cfg, a.host, a.inv
	a.cfg, a.host, a.inv = l.cfg, l.host, l.inv
	a.mu.Unlock()
	l.host.Commit()
	a.signer.Store(l.signer)
	a.mailer.Store(l.mailer)
	if err := a.tokens.Replace(l.cfg.AdminTokens); err != nil {
		a.logger.Error("admin tokens not replaced", "error", err)
	}

	a.drains.Add(1)
	go func() {
		defer a.drains.Done()
		if len(oldHost.Plugins()) > 0 {
			select {
			case <-time.After(a.opts.DrainTimeout):
			case <-a.stopDrains:
			}
		}
		oldHost.Close()
	}()
	res := diffIntegrations(oldCfg, l.cfg, oldInv, l.inv)
	a.logger.Info("configuration reloaded", "added", len(res.Added), "removed", len(res.Removed), "changed", len(res.Changed))
	return res, nil
}

// Shutdown stops taking work, lets running jobs finish (or hands them back
// to the queue), and stops every plugin.
func (a *Agent) Shutdown() {
	a.engine.Shutdown()
	a.mu.RLock()
	host := a.host
	a.mu.RUnlock()
	host.Close()
	a.shutOnce.Do(func() { close(a.stopDrains) })
	a.drains.Wait()
	a.stopTelemetry()
	if a.opts.Redis == nil {
		if err := a.rdb.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
			a.logger.Warn("close redis", "error", err)
		}
	}
}
