package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/throttle"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"github.com/hashicorp/go-hclog"
)

// Defaults of Options. Unary calls are small and quick; WatchRequest and
// reflection streams are exempt from the read and write timeouts (see
// deadlines), so these bound only what a stalled or slow client can
// hold.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = time.Minute
	DefaultWriteTimeout      = 5 * time.Minute
	DefaultIdleTimeout       = 2 * time.Minute
	// DefaultUploadTimeout is how long a Direct Contact SubmitResponse, which
	// may carry 100 MiB of files, may take to arrive and be answered: 100 MiB
	// at about 1 Mbit/s.
	DefaultUploadTimeout = 15 * time.Minute
	// DefaultMaxRequestBytes bounds one admin API request message.
	DefaultMaxRequestBytes = 4 << 20
	// DefaultMaxUploadBytes bounds one DirectContactService message: 100 MiB
	// of files and the rest of the answer.
	DefaultMaxUploadBytes = 104 << 20
	maxHeaderBytes        = 64 << 10
)

// TLSFiles are the PEM certificate (chain) and key the API is served with,
// from the server block's tls block.
type TLSFiles struct {
	CertFile string
	KeyFile  string
}

// Options configure a Server. Engine and Tokens are required.
type Options struct {
	Engine Engine
	// Tokens are the admin tokens; Replace them on a configuration reload.
	Tokens *auth.Tokens
	// Inventory answers ListIntegrations and TestIntegration; without it
	// they fail as unavailable.
	Inventory Inventory
	// Reload answers ConfigService.ReloadConfig; without it the call is
	// unimplemented.
	Reload Reloader
	// Replier composes and sends replies; see Replier.
	Replier Replier
	// DirectContact answers processors' links; without it the service is
	// unimplemented.
	DirectContact adminv1connect.DirectContactServiceHandler
	Logger        hclog.Logger
	// Clock stamps export archives (default time.Now).
	Clock func() time.Time

	// TLS serves HTTPS (HTTP/1.1 and HTTP/2 by ALPN) when set; otherwise
	// plain HTTP/1.1 and h2c.
	TLS *TLSFiles

	// Routes are further handlers served beside the API, outside its
	// authentication, by http.ServeMux pattern: for example the Direct
	// Contact answer page at "/respond/". A pattern that collides with the
	// API's is an error from New.
	Routes map[string]http.Handler

	// CORSOrigins are the browser origins (server.cors_origins) whose pages
	// may call the API; none when empty.
	CORSOrigins []string
	// Interceptors run first on every admin and Direct Contact call,
	// before authentication: tracing, which must see refused calls too.
	Interceptors []connect.Interceptor

	// Zero timeouts and limits take the Default* values.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	UploadTimeout     time.Duration
	MaxRequestBytes   int
	MaxUploadBytes    int
}

// SubmitGate is implemented by a DirectContact handler that can refuse a
// SubmitResponse by its link token before the body (up to MaxUploadBytes)
// is read and decoded; New wraps the service with it.
type SubmitGate interface {
	GateSubmit(next http.Handler) http.Handler
}

// Server is the admin API's HTTP server.
type Server struct {
	handler http.Handler
	http    *http.Server
	health  *grpchealth.StaticChecker
	log     hclog.Logger
	tls     bool

	closing   chan struct{}
	closeOnce sync.Once
	// healthMu orders SetServing against Shutdown's NOT_SERVING.
	healthMu sync.Mutex
}

// Services whose health the gRPC health service reports (besides the
// server as a whole, the empty name).
var healthServices = []string{
	adminv1connect.RequestServiceName,
	adminv1connect.IntegrationServiceName,
	adminv1connect.DirectContactServiceName,
	adminv1connect.ConfigServiceName,
}

// New builds the server; it listens only when Serve or ListenAndServe is
// called. A TLS certificate that cannot be loaded is an error here, before
// anything listens.
func New(opts Options) (*Server, error) {
	if opts.Engine == nil {
		return nil, errors.New("admin API: no engine")
	}
	if opts.Tokens == nil {
		return nil, errors.New("admin API: no admin tokens")
	}
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.MaxRequestBytes <= 0 {
		opts.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = DefaultMaxUploadBytes
	}
	s := &Server{
		health:  grpchealth.NewStaticChecker(healthServices...),
		log:     opts.Logger,
		closing: make(chan struct{}),
	}
	h, err := s.routes(opts)
	if err != nil {
		return nil, err
	}
	s.handler = h
	s.http = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: or(opts.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       or(opts.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      or(opts.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:       or(opts.IdleTimeout, DefaultIdleTimeout),
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          opts.Logger.StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true}),
		Protocols:         new(http.Protocols),
	}
	s.http.Protocols.SetHTTP1(true)
	s.http.Protocols.SetHTTP2(true)
	s.http.Protocols.SetUnencryptedHTTP2(true)
	if opts.TLS != nil {
		cert, err := tls.LoadX509KeyPair(opts.TLS.CertFile, opts.TLS.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("admin API: load TLS certificate %s and key %s: %w", opts.TLS.CertFile, opts.TLS.KeyFile, err)
		}
		s.http.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.tls = true
	}
	return s, nil
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// routes mounts every service on one mux: the admin services behind auth
// and validation, DirectContactService behind validation only, health and
// reflection open (the schema is public: it is in the repository; grpcurl
// and buf curl need it before they can send a token), and CORS around it
// all for the configured origins.
func (s *Server) routes(opts Options) (http.Handler, error) {
	v := &validator{}
	errs := errorMapper{log: opts.Logger, quiet: throttle.New(unavailableLogEvery)}
	authn := auth.NewInterceptor(opts.Tokens, Policy.Need, opts.Logger.Named("auth"))
	limits := connect.WithReadMaxBytes(opts.MaxRequestBytes)
	calls := callLogger{log: opts.Logger.Named("calls")}
	codecs := slices.Clip(strictJSONCodecs())
	first := opts.Interceptors[:len(opts.Interceptors):len(opts.Interceptors)]
	guarded := connect.WithHandlerOptions(append(codecs, connect.WithInterceptors(append(first, authn, calls, v)...), limits)...)

	mux := http.NewServeMux()
	mux.Handle(adminv1connect.NewRequestServiceHandler(&requestService{
		engine: opts.Engine, replier: opts.Replier, errs: errs, closing: s.closing, clock: opts.Clock,
	}, guarded))
	mux.Handle(adminv1connect.NewIntegrationServiceHandler(&integrationService{
		engine: opts.Engine, inventory: opts.Inventory, errs: errs,
	}, guarded))
	mux.Handle(adminv1connect.NewConfigServiceHandler(&configService{reload: opts.Reload, errs: errs}, guarded))

	dc := opts.DirectContact
	if dc == nil {
		dc = unimplementedDirectContact{}
	}
	directContactHandlers(mux, dc, opts.MaxUploadBytes, append(codecs, connect.WithInterceptors(append(first, calls, v)...))...)

	mux.Handle(grpchealth.NewHandler(s.health))
	reflector := grpcreflect.NewStaticReflector(append([]string{grpchealth.HealthV1ServiceName}, healthServices...)...)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
	for pattern, h := range opts.Routes {
		if err := handle(mux, pattern, h); err != nil {
			return nil, err
		}
	}
	return withCORS(deadlines(mux, or(opts.UploadTimeout, DefaultUploadTimeout)), opts.CORSOrigins), nil
}

// handle registers an extra route, turning ServeMux's panic on a bad or
// colliding pattern into an error.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("admin API: route %q: %v", pattern, r)
		}
	}()
	if h == nil {
		return fmt.Errorf("admin API: route %q has no handler", pattern)
	}
	mux.Handle(pattern, h)
	return nil
}

// streamingProcedures stay open as long as the client wants: they are
// exempt from the server's read and write timeouts.
var streamingProcedures = map[string]bool{
	adminv1connect.RequestServiceWatchRequestProcedure: true,
	reflectionV1Procedure:                              true,
	reflectionV1AlphaProcedure:                         true,
}

// longProcedures move large bodies: they get the upload timeout instead of
// the server's read and write timeouts.
var longProcedures = map[string]bool{
	adminv1connect.DirectContactServiceSubmitResponseProcedure:       true,
	adminv1connect.DirectContactServiceSubmitResponseStreamProcedure: true,
	adminv1connect.RequestServiceExportResultsStreamProcedure:        true,
}

// deadlines replaces the connection deadlines the server's ReadTimeout and
// WriteTimeout set where they do not fit: none for streaming procedures
// (Shutdown ends those streams itself), and the longer upload timeout for
// SubmitResponse and ExportResultsStream, whose files may take minutes
// over a slow line.
func deadlines(next http.Handler, upload time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case streamingProcedures[r.URL.Path]:
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Time{})
			_ = rc.SetWriteDeadline(time.Time{})
		case longProcedures[r.URL.Path]:
			rc := http.NewResponseController(w)
			deadline := time.Now().Add(upload)
			_ = rc.SetReadDeadline(deadline)
			_ = rc.SetWriteDeadline(deadline)
		}
		next.ServeHTTP(w, r)
	})
}

// Handler is the whole API as one http.Handler, for tests and for serving
// it from another server.
func (s *Server) Handler() http.Handler { return s.handler }

// Health is the gRPC health checker; the daemon may mark services
// NOT_SERVING while it cannot serve them. Shutdown marks them all.
func (s *Server) Health() *grpchealth.StaticChecker { return s.health }

// Serve answers on l until Shutdown, with TLS when configured. It returns
// nil after Shutdown.
func (s *Server) Serve(l net.Listener) error {
	var err error
	if s.tls {
		err = s.http.ServeTLS(l, "", "")
	} else {
		err = s.http.Serve(l)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Listen opens addr (host:port) for Serve.
func Listen(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin API: listen on %s: %w", addr, err)
	}
	return l, nil
}

// ListenAndServe listens on addr and serves until Shutdown.
func (s *Server) ListenAndServe(addr string) error {
	l, err := Listen(addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Shutdown stops the server gracefully: health turns NOT_SERVING, no new
// connections are accepted, WatchRequest streams end with unavailable (so
// clients reconnect elsewhere), and unary calls in flight finish, until ctx
// ends; then the remaining connections are closed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.healthMu.Lock()
		defer s.healthMu.Unlock()
		s.health.SetStatus("", grpchealth.StatusNotServing)
		for _, name := range healthServices {
			s.health.SetStatus(name, grpchealth.StatusNotServing)
		}
		close(s.closing)
	})
	err := s.http.Shutdown(ctx)
	if err != nil {
		_ = s.http.Close()
		return fmt.Errorf("admin API: shutdown: %w", err)
	}
	return nil
}
