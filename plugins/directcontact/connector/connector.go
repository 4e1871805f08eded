package connector

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/sdk"
)

// Version is the connector's version, shown in the data inventory.
const Version = "0.1.0"

// defaultTimeout bounds one SMTP conversation, from connecting to QUIT.
const defaultTimeout = 30 * time.Second

// Connector emails processors. One process may serve several integrations,
// each configured separately and found by the Job's integration name.
type Connector struct {
	now     func() time.Time
	log     hclog.Logger
	timeout time.Duration

	mu      sync.RWMutex
	configs map[string]*config

	// sent remembers emails sent, by integration and idempotency key (and
	// reminder), so a job delivered twice sends one email.
	sent *onceMap
}

var (
	_ sdk.AccessPoller = (*Connector)(nil)
	_ sdk.DeletePoller = (*Connector)(nil)
)

// Option changes how a Connector works, for tests and for hosts that run it
// in-process.
type Option func(*Connector)

// WithClock sets the clock deciding due dates and reminders, so tests can
// move time instead of sleeping.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// WithLogger sets the logger; by default it is [sdk.Logger], which reaches
// the daemon's log under the plugin's name.
func WithLogger(l hclog.Logger) Option { return func(c *Connector) { c.log = l } }

// WithTimeout bounds each SMTP conversation (default 30s).
func WithTimeout(d time.Duration) Option { return func(c *Connector) { c.timeout = d } }

// New returns an unconfigured Connector.
func New(opts ...Option) *Connector {
	c := &Connector{
		now:     time.Now,
		log:     sdk.Logger(),
		timeout: defaultTimeout,
		configs: map[string]*config{},
		sent:    newOnceMap(maxRemembered),
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Describe reports the connector; it depends on nothing configured.
func (c *Connector) Describe(ctx context.Context) (*sdk.Description, error) {
	return &sdk.Description{
		Name:         "directcontact",
		Version:      Version,
		Description:  "Emails a processor each access and deletion request, with a single-use link to answer by the due date, and reminds them before it.",
		Type:         sdk.DirectContact,
		Capabilities: []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete},
		Settings:     settingsSchema(),
	}, nil
}

// Configure validates the settings and, when they are sound, checks the SMTP
// server for real: it connects, negotiates TLS, logs in and asks whether the
// sender and recipients would be accepted, then quits without sending. The
// integration keeps its previous settings when the new ones have errors.
func (c *Connector) Configure(ctx context.Context, req *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	cfg, diags := decodeSettings(req.Settings)
	if cfg == nil {
		return &sdk.ConfigureResponse{Diagnostics: diags}, nil
	}
	if req.ValidateOnly {
		// `dsrhost validate` works offline: the settings are checked, the
		// server is not contacted, and nothing is kept.
		return &sdk.ConfigureResponse{Diagnostics: diags}, nil
	}
	resp := &sdk.ConfigureResponse{Diagnostics: c.checkServer(ctx, cfg)}
	if resp.HasErrors() {
		return resp, nil
	}
	c.mu.Lock()
	c.configs[req.Integration] = cfg
	c.mu.Unlock()
	c.log.Info("configured", "integration", req.Integration, "recipients", len(cfg.to)+len(cfg.cc),
		"smtp", cfg.smtp.address(), "tls", cfg.smtp.mode, "reminders", len(cfg.reminders))
	return resp, nil
}

// checkServer talks to the SMTP server as a send would, stopping short of
// sending.
func (c *Connector) checkServer(ctx context.Context, cfg *config) []sdk.Diagnostic {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	sess, f := openSMTP(ctx, cfg.smtp, c.timeout)
	if f != nil {
		return []sdk.Diagnostic{f.diagnostic()}
	}
	defer sess.close()
	var diags []sdk.Diagnostic
	for _, f := range sess.checkEnvelope(cfg.from, map[string][]string{"to": cfg.to, "cc": cfg.cc}) {
		diags = append(diags, f.diagnostic())
	}
	return diags
}

// configFor finds the settings of the job's integration. A host that names
// no integration is served when exactly one is configured.
func (c *Connector) configFor(integration string) (*config, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if cfg, ok := c.configs[integration]; ok {
		return cfg, nil
	}
	if integration == "" && len(c.configs) == 1 {
		for _, cfg := range c.configs {
			return cfg, nil
		}
	}
	return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "integration %q is not configured", integration).
		WithRemediation("Fix the integration's settings so that Configure succeeds; see the daemon's diagnostics.")
}
