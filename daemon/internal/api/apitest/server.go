package apitest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
)

// The tokens every test server accepts, and the admin_token names recorded
// as actors.
const (
	ViewerToken   = "viewer-token-0123456789"
	OperatorToken = "operator-token-0123456789"
	AdminToken    = "admin-token-0123456789"

	ViewerName   = "ci"
	OperatorName = "ops"
	AdminName    = "root"
)

// Tokens returns the admin_token blocks of the three test tokens.
func Tokens() map[string]*config.AdminToken {
	return map[string]*config.AdminToken{
		ViewerName:   {Name: ViewerName, SHA256: auth.Hash(ViewerToken), Role: config.RoleViewer},
		OperatorName: {Name: OperatorName, SHA256: auth.Hash(OperatorToken), Role: config.RoleOperator},
		AdminName:    {Name: AdminName, SHA256: auth.Hash(AdminToken), Role: config.RoleAdmin},
	}
}

// Server is a running admin API.
type Server struct {
	// URL is http://127.0.0.1:port (https:// under TLS).
	URL    string
	Addr   string
	Server *api.Server
}

// Start serves opts on a free 127.0.0.1 port until the test ends. Missing
// Tokens default to Tokens(), a missing Engine to a FakeEngine.
func Start(t testing.TB, opts api.Options) *Server {
	t.Helper()
	if opts.Tokens == nil {
		tokens, err := auth.NewTokens(Tokens())
		if err != nil {
			t.Fatalf("test tokens: %v", err)
		}
		opts.Tokens = tokens
	}
	if opts.Engine == nil {
		opts.Engine = &FakeEngine{}
	}
	srv, err := api.New(opts)
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	scheme := "http://"
	if opts.TLS != nil {
		scheme = "https://"
	}
	return &Server{URL: scheme + l.Addr().String(), Addr: l.Addr().String(), Server: srv}
}

// HTTP1Client speaks HTTP/1.1 only, as curl does by default.
func HTTP1Client(t testing.TB) *http.Client {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetHTTP1(true)
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// H2CClient speaks HTTP/2 without TLS (prior knowledge), as gRPC clients
// and grpcurl -plaintext do.
func H2CClient(t testing.TB) *http.Client {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}
