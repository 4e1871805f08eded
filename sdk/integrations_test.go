package sdk

import (
	"context"
	"testing"

	"github.com/hashicorp/go-plugin"
)

// tokenConnector keeps its settings on its struct, as the old doc example
// did; Access answers one record named after the token it holds.
type tokenConnector struct {
	token      string
	configured *int
}

func (c *tokenConnector) Describe(context.Context) (*Description, error) {
	return &Description{Name: "tokens", Version: "1", Type: SynchronousAPI, Capabilities: []Capability{CapabilityAccess},
		Settings: Schema{Attributes: []Attribute{{Name: "token", Type: TypeString, Required: true, Sensitive: true}}}}, nil
}

func (c *tokenConnector) Configure(_ context.Context, req *ConfigureRequest) (*ConfigureResponse, error) {
	*c.configured++
	var s struct{ Token string }
	if err := req.Settings.Decode(&s); err != nil {
		return nil, err
	}
	c.token = s.Token
	if s.Token == "refused" {
		return &ConfigureResponse{Diagnostics: []Diagnostic{CredentialError([]string{"token"}, nil)}}, nil
	}
	return &ConfigureResponse{}, nil
}

func (c *tokenConnector) Access(context.Context, *AccessRequest) (*AccessResponse, error) {
	return &AccessResponse{Records: []Record{{ID: c.token}}}, nil
}

func TestEachIntegrationGetsItsOwnConnector(t *testing.T) {
	configured := 0
	client, server := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{PluginName: &connectorPlugin{
		newConnector: func() Connector { return &tokenConnector{configured: &configured} }}})
	t.Cleanup(func() { _ = client.Close() })
	t.Cleanup(server.Stop)
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatal(err)
	}
	remote := raw.(Remote)
	ctx := context.Background()
	configure := func(integration, settings string, validateOnly bool) *ConfigureResponse {
		t.Helper()
		resp, err := remote.Configure(ctx, &ConfigureRequest{Integration: integration, Settings: Settings(settings), ValidateOnly: validateOnly})
		if err != nil {
			t.Fatalf("Configure %s: %v", integration, err)
		}
		return resp
	}
	configure("eu", `{"token":"eu-token"}`, false)
	configure("us", `{"token":"us-token"}`, false)
	// Neither a check nor refused settings replace what runs.
	configure("eu", `{"token":"checked-token"}`, true)
	if resp := configure("eu", `{"token":"refused"}`, false); !resp.HasErrors() {
		t.Fatalf("refused token drew no error")
	}
	// The sdk refuses a missing required setting without asking the
	// connector.
	before := configured
	resp := configure("eu", `{}`, false)
	if !resp.HasErrors() || len(resp.Diagnostics[0].Path) != 1 || resp.Diagnostics[0].Path[0] != "token" {
		t.Errorf("missing token: diagnostics %+v, want an error at [token]", resp.Diagnostics)
	}
	if configured != before {
		t.Errorf("the connector's Configure ran for settings the schema refuses")
	}

	for integration, want := range map[string]string{"eu": "eu-token", "us": "us-token"} {
		resp, err := remote.Access(ctx, &AccessRequest{Job: Job{Integration: integration}})
		if err != nil {
			t.Fatalf("Access %s: %v", integration, err)
		}
		if len(resp.Records) != 1 || resp.Records[0].ID != want {
			t.Errorf("Access %s reached the connector holding %+v, want %q", integration, resp.Records, want)
		}
	}
	_, err = remote.Access(ctx, &AccessRequest{Job: Job{Integration: "never-configured"}})
	if e := asError(t, err); e.Type != ErrorInvalidConfig {
		t.Errorf("Access for an unconfigured integration = %v, want invalid_config", e)
	}
}
