package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/agent"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/hashicorp/cli"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/hcl/v2"
)

// ServerCommand runs the daemon.
type ServerCommand struct {
	UI             cli.Ui
	Stdout, Stderr io.Writer
	// signals is replaced in tests; nil uses the process's signals.
	signals chan os.Signal
}

// Synopsis is the one-line help.
func (c *ServerCommand) Synopsis() string { return "Run the dsrhost daemon" }

// Help is the full help.
func (c *ServerCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost server -config PATH [-config PATH...]
       dsrhost server -dev

  Runs the daemon: launches the configured plugins, runs privacy requests'
  jobs through Redis and serves the admin API on server.listen.

  SIGHUP reloads the configuration: added, removed and changed integrations
  take effect without dropping work; a bad file is reported and the running
  configuration kept. SIGINT or SIGTERM shut down gracefully: running jobs
  finish or go back to the queue.

Options:

  -config=PATH              A configuration file, or a directory whose .hcl
                            files are read in name order. Repeat it to read
                            several: their blocks merge into one
                            configuration, and SIGHUP re-reads them all.
  -log-level=info           trace, debug, info, warn or error.
  -log-json                 Log as JSON lines.

Dev mode:

  -dev                      Run with an embedded Redis, the shipped plugins,
                            demo services and a root token. Not for production,
                            and not in production builds (make release).
  -dev-listen-address=ADDR  Where dev mode serves (default 127.0.0.1:8700).
  -dev-root-token-id=TOKEN  The root token (default: random, printed).
`)
}

// Run runs the daemon until it is told to stop.
func (c *ServerCommand) Run(args []string) int {
	stdout, stderr := c.Stdout, c.Stderr
	if stdout == nil {
		stdout = os.Stdout
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, c.Help()) }
	var configs configPaths
	fs.Var(&configs, "config", "")
	logLevel := fs.String("log-level", "info", "")
	logJSON := fs.Bool("log-json", false, "")
	devFlag := fs.Bool("dev", false, "")
	devListen := fs.String("dev-listen-address", devListenAddress, "")
	devToken := fs.String("dev-root-token-id", "", "")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "dsrhost server: unexpected argument %q; use -config PATH.\n", fs.Arg(0))
		return exitUsage
	}
	if !*devFlag && len(configs) == 0 {
		fmt.Fprintln(stderr, "dsrhost server: -config PATH is required (or -dev to try dsrhost with nothing set up).")
		return exitUsage
	}
	if *devFlag && len(configs) > 0 {
		fmt.Fprintln(stderr, "dsrhost server: -dev and -config cannot be combined.")
		return exitUsage
	}
	level := hclog.LevelFromString(*logLevel)
	if level == hclog.NoLevel {
		fmt.Fprintf(stderr, "dsrhost server: -log-level must be trace, debug, info, warn or error, not %q.\n", *logLevel)
		return exitUsage
	}
	logger := hclog.New(&hclog.LoggerOptions{Name: "dsrhost", Level: level, Output: stderr, JSONFormat: *logJSON})
	// Signals are caught from here on, not only once serving: health
	// answers SERVING before the start ends, and a SIGHUP (a reload) in
	// between would otherwise kill the process with the default action.
	// One that arrives during the start is acted on once it is done.
	sigs := c.signals
	if sigs == nil {
		sigs = make(chan os.Signal, 4)
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
		defer signal.Stop(sigs)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	build := Build()
	opts := agent.Options{Logger: logger, Version: build.Version, Commit: build.Commit}
	if len(configs) > 0 {
		// Start and every reload (SIGHUP, ReloadConfig) read the same set.
		opts.ConfigPath = configs[0]
		opts.Load = func() (*config.Config, *config.Files, hcl.Diagnostics) { return config.LoadPaths(configs...) }
	}
	var dev *devSetup
	if *devFlag {
		var code int
		if dev, code = startDev(stderr, *devListen, *devToken, logger); dev == nil {
			return code
		}
		defer dev.close()
		opts.Load, opts.Redis = dev.load, dev.redis
		opts.Engine.SchedulerInterval = time.Second
	}

	a, err := agent.New(ctx, opts)
	if err != nil {
		return c.startError(stderr, err)
	}
	srv, err := startAPI(a, logger)
	if err != nil {
		a.Shutdown()
		fmt.Fprintf(stderr, "dsrhost server: %v\n", err)
		return exitError
	}
	psrv, err := startPrivacy(a, logger)
	tel, err := startTelemetry(a, logger.Named("telemetry"), srv.errs)
	if err != nil {
		srv.shutdown(context.Background())
		a.Shutdown()
		fmt.Fprintf(stderr, "dsrhost server: %v\n", err)
		return exitError
	}
	defer psrv.shutdown(context.Background())
	srv.telemetry = tel
	if err := a.Start(); err != nil {
		srv.shutdown(context.Background())
		a.Shutdown()
		fmt.Fprintf(stderr, "dsrhost server: %v\n", err)
		return exitError
	}
	// The API's request rules are compiled now, not while the plugins
	// launch: the first call waits for them if it comes first.
	api.PrepareValidator()
	if dev != nil {
		dev.banner(stdout, srv.addr)
	}
	logger.Info("dsrhost started", "listen", srv.addr, "integrations", len(a.Inventory().Integrations))
	if psrv != nil {
		logger.Info("privacy center started", "listen", psrv.addr)
	}
	return c.wait(sigs, a, srv, psrv, logger)
}

// wait serves until SIGINT or SIGTERM, reloading on SIGHUP.
func (c *ServerCommand) wait(sigs <-chan os.Signal, a *agent.Agent, srv *apiServer, psrv *privacyServer, logger hclog.Logger) int {
	for {
		select {
		case err := <-srv.errs:
			logger.Error("admin API stopped", "error", err)
			a.Shutdown()
			return exitError
		case err := <-psrv.failed():
			logger.Error("privacy center stopped", "error", err)
			srv.shutdown(context.Background())
			a.Shutdown()
			return exitError
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				reload(a, logger)
				continue
			}
			logger.Info("shutting down", "signal", sig.String())
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			srv.shutdown(ctx)
			psrv.shutdown(ctx)
			cancel()
			a.Shutdown()
			logger.Info("stopped")
			return exitOK
		}
	}
}

func reload(a *agent.Agent, logger hclog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := reloadConfig(ctx, a, logger); err != nil {
		logger.Error("reload failed; the running configuration stays in force", "error", err)
	}
}

func (c *ServerCommand) startError(stderr io.Writer, err error) int {
	var ce *agent.ConfigError
	if errors.As(err, &ce) {
		_ = config.WriteDiagnostics(stderr, ce.Files, ce.Diags, isTerminal(stderr))
		fmt.Fprintf(stderr, "dsrhost server: the configuration has %s; not starting.\n", countErrors(ce.Diags))
		return exitError
	}
	fmt.Fprintf(stderr, "dsrhost server: %v\n", err)
	return exitError
}
