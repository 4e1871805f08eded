package pluginhost_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// A connector quoting the subject's email and its own token in its errors,
// remediations and log lines: none of it reaches the daemon.
func TestPluginErrorsAndLogsAreRedacted(t *testing.T) {
	h, logs := newHost(t)
	p := startTestConnector(t, h, "crm-plugin", sdktest.Build(t, testConnectorPkg))
	configure(t, p, settings(`"fail_with":"not_found","fail_status":404,"leak":true`))

	leaky := job
	leaky.Subject = sdk.Subject{Email: "Ada.Lovelace@example.com", UserID: "user-31337"}
	_, err := p.Connector().Access(context.Background(), &sdk.AccessRequest{Job: leaky})
	se, ok := err.(*sdk.Error)
	if !ok || se.Type != sdk.ErrorNotFound || se.StatusCode != 404 {
		t.Fatalf("Access = %#v, want the connector's not_found 404", err)
	}
	if !strings.Contains(se.Message, pluginhost.Redacted) {
		t.Errorf("message %q shows no redaction; the connector quoted the email and token", se.Message)
	}
	_, err = p.Connector().Delete(context.Background(), &sdk.DeleteRequest{Job: leaky})
	de, _ := err.(*sdk.Error)
	if de == nil {
		t.Fatalf("Delete = %v, want the connector's error", err)
	}
	// The log line arrives through a pipe: wait for it.
	waitFor(t, "the connector's log line", func() bool { return strings.Contains(logs.String(), "failing for") })
	time.Sleep(100 * time.Millisecond)

	for where, text := range map[string]string{
		"access message": se.Message, "access remediation": se.Remediation,
		"delete message": de.Message, "delete remediation": de.Remediation,
		"daemon log": logs.String(),
	} {
		for _, secret := range []string{"ada.lovelace@example.com", secretToken, "user-31337"} {
			if strings.Contains(strings.ToLower(text), strings.ToLower(secret)) {
				t.Errorf("%s holds %q:\n%s", where, secret, text)
			}
		}
	}
}
