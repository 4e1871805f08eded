package client_test

import (
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/client"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

func TestNormalizeAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"127.0.0.1:8700", "http://127.0.0.1:8700"},
		{"http://127.0.0.1:8700/", "http://127.0.0.1:8700"},
		{" https://dsr.example.com ", "https://dsr.example.com"},
		{"https://example.com/dsrhost/", "https://example.com/dsrhost"},
	}
	for _, tt := range tests {
		if got, err := client.NormalizeAddress(tt.in); err != nil || got != tt.want {
			t.Errorf("NormalizeAddress(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "ftp://example.com", "http://"} {
		if _, err := client.NormalizeAddress(bad); err == nil {
			t.Errorf("NormalizeAddress(%q) succeeded", bad)
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{client.EnvToken: "tok", client.EnvCACert: "/ca.pem"}
	c := client.FromEnv(func(k string) string { return env[k] })
	if c.Address != client.DefaultAddress || c.Token != "tok" || c.CACert != "/ca.pem" {
		t.Errorf("FromEnv = %+v", c)
	}
	env[client.EnvAddress] = "http://10.0.0.1:1"
	if c := client.FromEnv(func(k string) string { return env[k] }); c.Address != "http://10.0.0.1:1" {
		t.Errorf("FromEnv address %q", c.Address)
	}
}

// TestCACert reaches a TLS server whose certificate a private CA signed,
// only once given that CA.
func TestCACert(t *testing.T) {
	tokens, err := auth.NewTokens(apitest.Tokens())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Options{Engine: &apitest.FakeEngine{}, Tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	// The refused handshake is expected: keep it out of the test output.
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	get := func(cfg client.Config) error {
		c, err := client.New(cfg)
		if err != nil {
			return err
		}
		defer c.CloseIdleConnections()
		_, err = c.Requests.GetRequest(t.Context(), connect.NewRequest(&adminv1.GetRequestRequest{Id: apitest.SampleID}))
		return err
	}
	if err := get(client.Config{Address: ts.URL, Token: apitest.ViewerToken}); err == nil {
		t.Error("an untrusted certificate was accepted")
	}
	if err := get(client.Config{Address: ts.URL, Token: apitest.ViewerToken, CACert: ca}); err != nil {
		t.Errorf("with the CA: %v", err)
	}
	if err := get(client.Config{Address: ts.URL, Token: apitest.ViewerToken, CACert: filepath.Join(t.TempDir(), "missing.pem")}); err == nil {
		t.Error("a missing CA file was accepted")
	}
}
