package command

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/agent"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/console"
	"github.com/dsrhost/dsrhost/daemon/internal/privacycenter"
	"github.com/dsrhost/dsrhost/daemon/internal/respond/linktoken"
	"github.com/dsrhost/dsrhost/daemon/internal/telemetry"
	"github.com/hashicorp/go-hclog"
)

// apiServer is the admin API listening on server.listen.
type apiServer struct {
	addr string
	srv  *api.Server
	errs chan error
	// stopWatch ends the Redis watch that drives health.
	stopWatch context.CancelFunc
	// telemetry is the telemetry block's own listener, if it has one.
	telemetry *telemetryServer
}

// startAPI serves the admin API (Connect, gRPC and gRPC-Web, health and
// reflection) and the Direct Contact answer page over the agent.
func startAPI(a *agent.Agent, logger hclog.Logger) (*apiServer, error) {
	cfg := a.Config()
	opts := api.Options{
		Engine:        a.Engine(),
		Tokens:        a.Tokens(),
		Inventory:     a.Catalog(),
		Reload:        func(ctx context.Context) (*api.ReloadResult, error) { return reloadConfig(ctx, a, logger) },
		Replier:       a.Replier(),
		DirectContact: a.Responder().Service(),
		Routes:        map[string]http.Handler{linktoken.Path: a.Responder().PageHandler()},
		Logger:        logger.Named("api"),
		CORSOrigins:   cfg.Server.CORSOrigins,
		Interceptors:  []connect.Interceptor{telemetry.NewServerTracing()},
	}
	if pc := a.PrivacyCenter(); pc != nil && sharesAPIListener(a) {
		opts.Routes[privacycenter.Path] = pc.Handler()
	}
	if cfg.UIEnabled() {
		ui, err := a.Console()
		if err != nil {
			return nil, err
		}
		opts.Routes[console.Path] = ui.Handler()
	}
	if t := cfg.Telemetry; t != nil && (t.Listen == "" || t.Listen == cfg.Server.Listen) {
		maps.Copy(opts.Routes, a.TelemetryRoutes())
	}
	if t := cfg.Server.TLS; t != nil {
		opts.TLS = &api.TLSFiles{CertFile: t.CertFile, KeyFile: t.KeyFile}
	}
	srv, err := api.New(opts)
	if err != nil {
		return nil, fmt.Errorf("admin API: %w", err)
	}
	l, err := api.Listen(cfg.Server.Listen)
	if err != nil {
		return nil, err
	}
	watch, stopWatch := context.WithCancel(context.Background())
	s := &apiServer{addr: l.Addr().String(), srv: srv, errs: make(chan error, 1), stopWatch: stopWatch}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.errs <- err
		}
	}()
	// Health follows Redis: NOT_SERVING while it is unreachable.
	go a.WatchRedis(watch, srv.SetServing)
	return s, nil
}

// shutdown stops accepting calls and lets those in flight finish.
func (s *apiServer) shutdown(ctx context.Context) {
	s.stopWatch()
	_ = s.srv.Shutdown(ctx)
	s.telemetry.shutdown(ctx)
}

// reloadConfig reloads the configuration, for SIGHUP and for
// ConfigService.ReloadConfig alike: a bad file is logged with its
// diagnostics and reported back instead of applied.
func reloadConfig(ctx context.Context, a *agent.Agent, logger hclog.Logger) (*api.ReloadResult, error) {
	res, err := a.Reload(ctx)
	var ce *agent.ConfigError
	if errors.As(err, &ce) {
		var b strings.Builder
		_ = config.WriteDiagnostics(&b, ce.Files, ce.Diags, false)
		logger.Error("reload refused; the running configuration stays in force", "errors", len(ce.Diags.Errs()), "diagnostics", b.String())
		return &api.ReloadResult{Applied: false, Diagnostics: splitDiagnostics(b.String())}, nil
	}
	if err != nil {
		return nil, err
	}
	logger.Info("reloaded", "added", res.Added, "removed", res.Removed, "changed", res.Changed)
	return &api.ReloadResult{Applied: true, Added: res.Added, Removed: res.Removed, Changed: res.Changed}, nil
}

// splitDiagnostics cuts WriteDiagnostics output into one entry per
// diagnostic.
func splitDiagnostics(s string) []string {
	var out []string
	for _, part := range strings.Split(s, "\nError: ") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.HasPrefix(part, "Error: ") && !strings.HasPrefix(part, "Warning: ") {
			part = "Error: " + part
		}
		out = append(out, part)
	}
	return out
}

// telemetryServer serves /metrics and /debug/pprof/ on telemetry.listen
// when it differs from server.listen; nil otherwise.
type telemetryServer struct {
	addr string
	srv  *http.Server
}

// startTelemetry listens on the telemetry block's own address, if any.
func startTelemetry(a *agent.Agent, logger hclog.Logger, errs chan<- error) (*telemetryServer, error) {
	cfg := a.Config()
	t := cfg.Telemetry
	if t == nil || t.Listen == "" || t.Listen == cfg.Server.Listen {
		return nil, nil
	}
	mux := http.NewServeMux()
	for pattern, h := range a.TelemetryRoutes() {
		mux.Handle(pattern, h)
	}
	l, err := net.Listen("tcp", t.Listen)
	if err != nil {
		return nil, fmt.Errorf("telemetry: listen on %s: %w", t.Listen, err)
	}
	ts := &telemetryServer{addr: l.Addr().String(), srv: &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		// pprof's profile and trace run for as long as asked (30s by
		// default), so writes get room beyond that.
		WriteTimeout: 5 * time.Minute,
		ErrorLog:     logger.StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true}),
	}}
	go func() {
		if err := ts.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			select {
			case errs <- fmt.Errorf("telemetry listener: %w", err):
			default: // the API failed first; one error stops the daemon
			}
		}
	}()
	return ts, nil
}

// shutdown stops the telemetry listener; nil-safe.
func (ts *telemetryServer) shutdown(ctx context.Context) {
	if ts != nil {
		_ = ts.srv.Shutdown(ctx)
	}
}
