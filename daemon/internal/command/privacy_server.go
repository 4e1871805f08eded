package command

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/agent"
	"github.com/dsrhost/dsrhost/daemon/internal/privacycenter"
	"github.com/hashicorp/go-hclog"
)

// privacyServer is the privacy center on its own listener, apart from the
// admin API so that it can face the internet while the API stays private.
type privacyServer struct {
	addr string
	srv  *http.Server
	errs chan error
}

// sharesAPIListener reports whether the privacy center is served on
// server.listen (as in dev mode) rather than on a listener of its own.
func sharesAPIListener(a *agent.Agent) bool {
	cfg := a.Config()
	return cfg.PrivacyCenter != nil && cfg.PrivacyCenter.Listen == cfg.Server.Listen
}

// startPrivacy serves the privacy center on privacy_center.listen; nil
// when it is off or shares the API's listener.
func startPrivacy(a *agent.Agent, logger hclog.Logger) (*privacyServer, error) {
	pc := a.PrivacyCenter()
	if pc == nil || sharesAPIListener(a) {
		return nil, nil
	}
	addr := a.Config().PrivacyCenter.Listen
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("privacy center: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle(privacycenter.Path, pc.Handler())
	mux.Handle("/{$}", http.RedirectHandler(privacycenter.Path, http.StatusFound))
	s := &privacyServer{addr: l.Addr().String(), errs: make(chan error, 1), srv: &http.Server{
		Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: logger.Named("privacy").StandardLogger(&hclog.StandardLoggerOptions{ForceLevel: hclog.Warn}),
	}}
	go func() {
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.errs <- err
		}
	}()
	return s, nil
}

// shutdown stops the privacy server; nil-safe.
func (s *privacyServer) shutdown(ctx context.Context) {
	if s != nil {
		_ = s.srv.Shutdown(ctx)
	}
}

// failed delivers the server's failure; it never fires for a nil server.
func (s *privacyServer) failed() <-chan error {
	if s == nil {
		return nil
	}
	return s.errs
}
