package api_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, returning
// their paths and a pool trusting it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "dsrhost test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestTLS serves over TLS and calls with gRPC (HTTP/2 by ALPN) and Connect
// over HTTP/1.1.
func TestTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	srv := apitest.Start(t, api.Options{TLS: &api.TLSFiles{CertFile: certFile, KeyFile: keyFile}})
	for _, tt := range []struct {
		name  string
		http2 bool
		opts  []connect.ClientOption
	}{
		{"grpc-h2", true, []connect.ClientOption{connect.WithGRPC()}},
		{"connect-http1", false, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, Protocols: new(http.Protocols)}
			if tt.http2 {
				tr.Protocols.SetHTTP2(true)
			} else {
				tr.Protocols.SetHTTP1(true)
			}
			defer tr.CloseIdleConnections()
			p := protocol{name: tt.name, client: func(testing.TB) *http.Client { return &http.Client{Transport: tr} }, opts: tt.opts}
			c := newClients(t, srv, p, apitest.ViewerToken)
			res, err := c.requests.GetRequest(t.Context(), connect.NewRequest(&adminv1.GetRequestRequest{Id: apitest.SampleID}))
			if err != nil {
				t.Fatalf("get over TLS: %v", err)
			}
			if res.Msg.GetRequest().GetId() != apitest.SampleID {
				t.Errorf("got %v", res.Msg)
			}
		})
	}
	// Plain HTTP to a TLS port fails rather than leaking anything.
	c := newClients(t, &apitest.Server{URL: "http://" + srv.Addr}, protocols[0], apitest.ViewerToken)
	if _, err := c.requests.GetRequest(t.Context(), connect.NewRequest(&adminv1.GetRequestRequest{Id: apitest.SampleID})); err == nil {
		t.Error("plain HTTP to the TLS port succeeded")
	}
}
