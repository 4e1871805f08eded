package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/hashicorp/go-hclog"
)

// Name is the connector's name: the binary is dsrhost-plugin-genericrest.
const Name = "genericrest"

// Version is the connector's version, shown in the data inventory.
const Version = "0.2.0"

// Connector connects any HTTP JSON API described by an integration's
// settings. One process may serve several integrations; each job is routed
// by its integration name.
type Connector struct {
	logger hclog.Logger
	// sleep waits out Retry-After; tests replace it to observe waits
	// without spending them.
	sleep func(context.Context, time.Duration) error

	mu           sync.RWMutex
	integrations map[string]*integration

	jobs *jobCache
}

var (
	_ sdk.AccessPoller = (*Connector)(nil)
	_ sdk.DeletePoller = (*Connector)(nil)
)

// New returns a Connector with no integration configured.
func New() *Connector {
	return &Connector{
		logger:       sdk.Logger().Named(Name),
		sleep:        sleepCtx,
		integrations: map[string]*integration{},
		jobs:         newJobCache(4096),
	}
}

// Describe reports a Synchronous API that can access and delete. It cannot
// depend on settings, so it cannot say which integrations answer later: an
// integration with an async block answers Access and Delete with Pending,
// which the daemon follows up as an Asynchronous API whatever the declared
// type; one with deletion.mode = "whole_record" answers "Deletion done".
func (c *Connector) Describe(context.Context) (*sdk.Description, error) {
	return &sdk.Description{
		Name:         Name,
		Version:      Version,
		Description:  "Connects any HTTP JSON API from settings alone (templated requests and steps, JSONPath, pagination, rate limits, five kinds of auth, asynchronous jobs), or a ready-made catalogue entry by name.",
		Type:         sdk.SynchronousAPI,
		Capabilities: []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete},
		Settings:     Schema(),
	}, nil
}

// Configure checks the settings, compiles every template and JSONPath,
// checks the credentials with test_request (or, for OAuth2, by fetching a
// token), and only then replaces the integration's previous configuration.
// Every problem is a diagnostic at the path of the setting at fault. With
// ValidateOnly (dsrhost validate) it stops before contacting the API and
// installs nothing.
func (c *Connector) Configure(ctx context.Context, req *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	raw := map[string]any{}
	if len(req.Settings) > 0 {
		if err := json.Unmarshal(req.Settings, &raw); err != nil {
			return diagnostics(sdk.AttributeError(nil, "Settings are not an object", "The settings must be a JSON object shaped by the schema.")), nil
		}
	}
	diags, fatal := checkShape(Schema(), raw, nil)
	if fatal {
		return &sdk.ConfigureResponse{Diagnostics: diags}, nil
	}
	var s settings
	if err := req.Settings.Decode(&s); err != nil {
		return diagnostics(append(diags, sdk.AttributeError(nil, "Settings cannot be decoded", "The settings do not match the schema."))...), nil
	}
	if s.Template != "" {
		if more := resolveTemplate(&s, raw); len(more) > 0 {
			return diagnostics(append(diags, more...)...), nil
		}
	}
	in, more := compile(req.Integration, &s)
	diags = append(diags, more...)
	resp := &sdk.ConfigureResponse{Diagnostics: diags}
	if in == nil || resp.HasErrors() {
		return resp, nil
	}
	in.sleep = c.sleep
	if s.Template != "" {
		// The admin wrote secrets, not the entry's auth block: refused
		// credentials are reported there.
		in.authPath = []string{"secrets"}
	}
	resp.Type, resp.Capabilities = narrow(&s)
	if req.ValidateOnly {
		return resp, nil // offline: nothing sent, nothing installed
	}
	resp.Diagnostics = append(resp.Diagnostics, in.checkCredentials(ctx)...)
	if resp.HasErrors() {
		return resp, nil
	}
	c.mu.Lock()
	old := c.integrations[req.Integration]
	c.integrations[req.Integration] = in
	c.mu.Unlock()
	if old != nil {
		old.client.CloseIdleConnections()
	}
	c.logger.Info("configured", "integration", req.Integration,
		"access", in.access != nil, "deletion", in.deletion != nil)
	return resp, nil
}

// narrow reports what these settings make of the integration, since
// Describe (which cannot see settings) claims every capability: only the
// blocks present are capabilities, and an integration that deletes by
// identity without an access block is a Whole-Record Deletion API, which
// the daemon runs only in Pending Delete. Asynchronous blocks make it an
// Asynchronous API.
func narrow(s *settings) (sdk.IntegrationType, []sdk.Capability) {
	var caps []sdk.Capability
	typ := sdk.SynchronousAPI
	if s.Access != nil {
		caps = append(caps, sdk.CapabilityAccess)
		if s.Access.Async != nil {
			typ = sdk.AsynchronousAPI
		}
	}
	if s.Deletion != nil {
		caps = append(caps, sdk.CapabilityDelete)
		if s.Deletion.Async != nil {
			typ = sdk.AsynchronousAPI
		}
		if s.Access == nil && s.Deletion.Mode == "whole_record" {
			typ = sdk.WholeRecordDeletionAPI
		}
	}
	return typ, caps
}

func diagnostics(d ...sdk.Diagnostic) *sdk.ConfigureResponse {
	return &sdk.ConfigureResponse{Diagnostics: d}
}

// integration returns the configuration for a job's integration. A process
// configured for exactly one integration serves it under any name, so a
// host that names jobs differently from Configure still works.
func (c *Connector) integration(name string) (*integration, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if in, ok := c.integrations[name]; ok {
		return in, nil
	}
	if len(c.integrations) == 1 {
		for _, in := range c.integrations {
			return in, nil
		}
	}
	return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "integration %q is not configured", name).
		WithRemediation("Configure must succeed before jobs run; check the integration's settings with dsrhost validate.")
}

// notConfigured is the error for a job the settings give no way to do.
func notConfigured(block, what string) *sdk.Error {
	return sdk.Errorf(sdk.ErrorInvalidConfig, "this integration has no %s block, so it cannot %s", block, what).
		WithRemediation(fmt.Sprintf("Add a %s block to the integration's settings, or do not select it for this request.", block))
}
