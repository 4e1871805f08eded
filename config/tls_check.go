package config

import (
	"crypto/tls"
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Check loads the certificate and key as the admin API's listener will, so
// `dsrhost validate` refuses a pair the server could not start with (a
// missing file, no PEM data, a key that does not match). Decoding does not
// call it: the files may be installed after the configuration is written.
// It is nil-safe.
func (t *TLS) Check() hcl.Diagnostics {
	if t == nil || t.CertFile == "" || t.KeyFile == "" {
		return nil
	}
	if _, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile); err != nil {
		// crypto/tls's errors name files and PEM problems, never key bytes.
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot load TLS certificate",
			Detail: fmt.Sprintf("The server cannot use cert_file %s with key_file %s (paths relative to the configuration file): %v.",
				t.CertFile, t.KeyFile, err),
			Subject: t.DeclRange.Ptr(),
		}}
	}
	return nil
}
