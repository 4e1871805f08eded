package command

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/agent"
	"github.com/hashicorp/go-hclog"
)

// apiServer is the admin API's HTTP server: HTTP/1.1 and h2c (gRPC needs
// HTTP/2; without TLS that is h2c), with explicit timeouts.
type apiServer struct {
	addr string
	http *http.Server
	errs chan error
}

// startAPI listens on server.listen and serves the admin API.
func startAPI(a *agent.Agent, logger hclog.Logger) (*apiServer, error) {
	cfg := a.Config()
	handler, err := apiHandler(a, logger.Named("api"))
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Server.Listen, err)
	}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	protocols.SetUnencryptedHTTP2(true)
	s := &apiServer{
		addr: l.Addr().String(),
		errs: make(chan error, 1),
		http: &http.Server{
			Handler:           handler,
			Protocols:         protocols,
			ReadHeaderTimeout: 10 * time.Second,
			// No ReadTimeout or WriteTimeout: WatchRequest streams for as
			// long as the client watches. Unary calls are bounded by the
			// handler timeout instead (see apiHandler).
			IdleTimeout:    2 * time.Minute,
			MaxHeaderBytes: 64 << 10,
			ErrorLog:       logger.Named("http").StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true}),
		},
	}
	if t := cfg.Server.TLS; t != nil {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("load server.tls certificate: %w", err)
		}
		s.http.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		l = tls.NewListener(l, s.http.TLSConfig)
	}
	go func() {
		if err := s.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.errs <- err
		}
	}()
	return s, nil
}

// shutdown stops accepting calls and waits for those in flight.
func (s *apiServer) shutdown(ctx context.Context) {
	if err := s.http.Shutdown(ctx); err != nil {
		_ = s.http.Close()
	}
}
