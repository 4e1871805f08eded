package api

import (
	"context"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// Engine is what the admin API needs of the workflow engine;
// *engine.Engine implements it. actor is the calling admin token's name,
// recorded in the request's history.
type Engine interface {
	Create(ctx context.Context, in engine.CreateInput) (*engine.Request, error)
	Get(ctx context.Context, id string) (*engine.Request, error)
	List(ctx context.Context, f engine.Filter, cursor string, limit int) ([]*engine.Request, string, error)
	Approve(ctx context.Context, id, actor string, sources []string) (*engine.Request, error)
	Reject(ctx context.Context, id, actor, reason string, reply engine.Reply) (*engine.Request, error)
	ApproveDeletion(ctx context.Context, id, actor string) (*engine.Request, error)
	Close(ctx context.Context, id, actor string, reply engine.Reply) (*engine.Request, error)
	History(ctx context.Context, id string) ([]engine.Event, error)
	Watch(ctx context.Context, id, after string) (<-chan engine.Event, error)
	Results(ctx context.Context, id string) ([]engine.Result, error)
	Retry(ctx context.Context, id, integration, actor string) (*engine.IntegrationState, error)
	Stop(ctx context.Context, id, integration, actor string) (*engine.IntegrationState, error)
	Skip(ctx context.Context, id, integration, actor string) (*engine.IntegrationState, error)
	CompleteManualTask(ctx context.Context, id, name, actor, note string) (*engine.ManualTask, error)
}

var _ Engine = (*engine.Engine)(nil)

// Replier composes and sends the answer to a request's subject. Without one
// (Options.Replier nil) CloseRequest and RejectRequest record the reply as
// the operator gave it and send nothing.
type Replier = reply.Sender

// Inventory is the data inventory: the configured integrations and manual
// data sources with their plugins' health. The daemon implements it over
// its running plugins.
type Inventory interface {
	// Integrations lists every integration and manual data source.
	Integrations(ctx context.Context) ([]IntegrationInfo, error)
	// Test runs the integration's Configure again against the third party.
	// An unknown name is an error wrapping engine.ErrNotFound; a failed
	// check is a TestResult with OK false, not an error.
	Test(ctx context.Context, name string) (*TestResult, error)
}

// Process kinds of the data inventory.
const (
	ProcessAutomated     = "automated"
	ProcessDirectContact = "direct_contact"
	ProcessManual        = "manual"
)

// IntegrationInfo is one entry of the data inventory.
type IntegrationInfo struct {
	Name     string
	Category string
	// Type is 0 for a manual data source.
	Type sdk.IntegrationType
	// ProcessKind is ProcessAutomated, ProcessDirectContact or ProcessManual.
	ProcessKind   string
	Plugin        string
	PluginVersion string
	Health        Health
	Capabilities  []sdk.Capability
	// RequestTypes a manual data source applies to.
	RequestTypes []sdk.RequestType
	DependsOn    []string
}

// Plugin health states.
const (
	HealthHealthy       = "healthy"
	HealthRestarting    = "restarting"
	HealthFailed        = "failed"
	HealthNotConfigured = "not_configured"
)

// Health is a plugin's health as the host sees it.
type Health struct {
	// State is one of the Health* constants.
	State    string
	Message  string
	Restarts int
	Since    time.Time
}

// TestResult is the outcome of TestIntegration.
type TestResult struct {
	OK bool
	// Problems are the connector's diagnostics, e.g. a missing scope.
	Problems []string
	// Error is set when Configure failed outright.
	Error *state.ErrorInfo
}

// Reloader reads the configuration file again and applies it, as SIGHUP
// does. A bad file is not an error: it comes back as a ReloadResult with
// Applied false and its diagnostics, the running configuration kept.
type Reloader func(ctx context.Context) (*ReloadResult, error)

// ReloadResult reports what a reload changed.
type ReloadResult struct {
	Applied bool
	// Diagnostics are printed as `dsrhost validate` would, file:line:column
	// first.
	Diagnostics []string
	Added       []string
	Removed     []string
	Changed     []string
}
