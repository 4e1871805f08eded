package api_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"connectrpc.com/connect"
	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// TestEngineErrors checks each engine sentinel becomes its status code with
// the engine's message, and that any other error is answered as internal
// without its text, which goes to the log instead.
func TestEngineErrors(t *testing.T) {
	tests := []struct {
		err  error
		want connect.Code
		// shown says whether the engine's message reaches the caller.
		shown bool
	}{
		{fmt.Errorf("get request %s: %w", apitest.SampleID, engine.ErrNotFound), connect.CodeNotFound, true},
		{fmt.Errorf("integration \"crm\" is Complete: %w", engine.ErrFailedPrecondition), connect.CodeFailedPrecondition, true},
		{fmt.Errorf("source \"nope\": %w", engine.ErrInvalidArgument), connect.CodeInvalidArgument, true},
		{errors.New("redis: connection pool exhausted at 10.1.2.3"), connect.CodeInternal, false},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			var logs testlog.Buffer
			fe := &apitest.FakeEngine{RetryFunc: func(context.Context, string, string, string) (*engine.IntegrationState, error) {
				return nil, tt.err
			}}
			srv := apitest.Start(t, api.Options{Engine: fe, Logger: hclog.New(&hclog.LoggerOptions{Output: &logs})})
			c := newClients(t, srv, protocols[0], apitest.OperatorToken)
			_, err := c.integrations.RetryIntegration(t.Context(), connect.NewRequest(&adminv1.RetryIntegrationRequest{RequestId: apitest.SampleID, Name: "crm"}))
			wantCode(t, err, tt.want)
			if shown := strings.Contains(err.Error(), tt.err.Error()); shown != tt.shown {
				t.Errorf("message %q shows the engine's error: %v, want %v", err, shown, tt.shown)
			}
			if !tt.shown && !strings.Contains(logs.String(), tt.err.Error()) {
				t.Errorf("internal error not logged; log: %s", logs.String())
			}
		})
	}
}

// TestUnknownIntegrationNotFound covers the inventory's not-found path.
func TestUnknownIntegrationNotFound(t *testing.T) {
	srv := apitest.Start(t, api.Options{Inventory: &apitest.FakeInventory{}})
	c := newClients(t, srv, protocols[0], apitest.OperatorToken)
	_, err := c.integrations.TestIntegration(t.Context(), connect.NewRequest(&adminv1.TestIntegrationRequest{Name: "nope"}))
	wantCode(t, err, connect.CodeNotFound, "nope")
	res, err := c.integrations.TestIntegration(t.Context(), connect.NewRequest(&adminv1.TestIntegrationRequest{Name: "heap"}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Msg.GetOk() || len(res.Msg.GetProblems()) != 1 || res.Msg.GetError().GetType() != "permission" {
		t.Errorf("test heap: %v", res.Msg)
	}
}

// TestWithoutOptionalParts checks the answers when the daemon has not wired
// an inventory, a reloader or Direct Contact.
func TestWithoutOptionalParts(t *testing.T) {
	srv := apitest.Start(t, api.Options{})
	c := newClients(t, srv, protocols[0], apitest.AdminToken)
	_, err := c.integrations.ListIntegrations(t.Context(), connect.NewRequest(&adminv1.ListIntegrationsRequest{}))
	wantCode(t, err, connect.CodeUnavailable)
	_, err = c.config.ReloadConfig(t.Context(), connect.NewRequest(&adminv1.ReloadConfigRequest{}))
	wantCode(t, err, connect.CodeUnimplemented)
	_, err = c.directContact.GetTask(t.Context(), connect.NewRequest(&adminv1.GetTaskRequest{Token: "x"}))
	wantCode(t, err, connect.CodeUnimplemented)
}

// TestNewRequiresEngineAndTokens checks the constructor's guard rails.
func TestNewRequiresEngineAndTokens(t *testing.T) {
	if _, err := api.New(api.Options{}); err == nil {
		t.Error("New without an engine succeeded")
	}
	if _, err := api.New(api.Options{Engine: &apitest.FakeEngine{}}); err == nil {
		t.Error("New without tokens succeeded")
	}
	if _, err := api.New(api.Options{Engine: &apitest.FakeEngine{}, Tokens: mustTokens(t), TLS: &api.TLSFiles{CertFile: "/nonexistent.pem", KeyFile: "/nonexistent.key"}}); err == nil || !strings.Contains(err.Error(), "/nonexistent.pem") {
		t.Errorf("New with a missing certificate: %v", err)
	}
}
