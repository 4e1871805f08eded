// Package client connects to a running dsrhost daemon's admin API, as the
// CLI does: the address and token from DSRHOST_ADDR and DSRHOST_TOKEN (or
// flags), a CA certificate for TLS from DSRHOST_CACERT, and the token sent as
// "Authorization: Bearer" on every call.
package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// Environment variables the client reads.
const (
	EnvAddress = "DSRHOST_ADDR"
	EnvToken   = "DSRHOST_TOKEN"
	EnvCACert  = "DSRHOST_CACERT"
)

// DefaultAddress is where `dsrhost server` listens unless configured
// otherwise.
const DefaultAddress = "http://127.0.0.1:8700"

// Config says how to reach the daemon.
type Config struct {
	// Address is the daemon's base URL; a bare host:port means http://.
	Address string
	// Token is an admin token, sent as a bearer token; empty sends none.
	Token string
	// CACert is a PEM file of the CA to trust for an https:// address,
	// beside the system's.
	CACert string
	// Timeout bounds each unary call (default 1 minute); streams are
	// bounded by their context only.
	Timeout time.Duration
}

// FromEnv returns the configuration the environment gives, with defaults.
func FromEnv(getenv func(string) string) Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Config{Address: getenv(EnvAddress), Token: getenv(EnvToken), CACert: getenv(EnvCACert)}
	if c.Address == "" {
		c.Address = DefaultAddress
	}
	return c
}

// Client holds a client per admin service.
type Client struct {
	// Address is the normalised base URL.
	Address      string
	Requests     adminv1connect.RequestServiceClient
	Integrations adminv1connect.IntegrationServiceClient
	Config       adminv1connect.ConfigServiceClient
	http         *http.Client
}

// New returns a client for cfg. It does not connect until the first call.
func New(cfg Config) (*Client, error) {
	base, err := NormalizeAddress(cfg.Address)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP1(true)
	tr.Protocols.SetHTTP2(true)
	if cfg.CACert != "" {
		pem, err := os.ReadFile(cfg.CACert)
		if err != nil {
			return nil, fmt.Errorf("read CA certificate: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA certificate %s holds no PEM certificate", cfg.CACert)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	hc := &http.Client{Transport: tr}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	opts := []connect.ClientOption{connect.WithInterceptors(&bearer{token: cfg.Token, timeout: timeout})}
	return &Client{
		Address:      base,
		Requests:     adminv1connect.NewRequestServiceClient(hc, base, opts...),
		Integrations: adminv1connect.NewIntegrationServiceClient(hc, base, opts...),
		Config:       adminv1connect.NewConfigServiceClient(hc, base, opts...),
		http:         hc,
	}, nil
}

// CloseIdleConnections releases the client's connections.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// NormalizeAddress turns "host:port" or a URL into the base URL of the API.
func NormalizeAddress(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return "", errors.New("no address: set DSRHOST_ADDR, e.g. http://127.0.0.1:8700")
	}
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("address %q is not an http:// or https:// URL such as %s", addr, DefaultAddress)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}

// bearer sends the token and bounds unary calls.
type bearer struct {
	token   string
	timeout time.Duration
}

func (b *bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if b.token != "" {
			req.Header().Set("Authorization", "Bearer "+b.token)
		}
		ctx, cancel := context.WithTimeout(ctx, b.timeout)
		defer cancel()
		return next(ctx, req)
	}
}

func (b *bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if b.token != "" {
			conn.RequestHeader().Set("Authorization", "Bearer "+b.token)
		}
		return conn
	}
}

func (b *bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
