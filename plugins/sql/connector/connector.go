package connector

import (
	"context"
	"database/sql"
	"sync"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/sdk"
)

// Name is the connector's name, the <name> of dsrhost-plugin-<name>.
const Name = "sql"

// Version is the connector's version, shown in the data inventory.
var Version = "0.1.0"

// SQL is the SQL connector. One process may serve several integrations,
// each with its own database; jobs are routed by integration name. The
// zero value is not usable; call [New].
type SQL struct {
	log hclog.Logger
	// hook, when set, is called at each step of an erasure; tests use it
	// to stop the database mid-job.
	hook func(step string)

	mu           sync.RWMutex
	integrations map[string]*integration
	erased       *answers
}

var (
	_ sdk.Accessor = (*SQL)(nil)
	_ sdk.Deleter  = (*SQL)(nil)
)

// integration is one configured integration: its settings and its pool.
type integration struct {
	s   *settings
	d   dialect
	db  *sql.DB
	cat catalog
}

// Option changes how [New] builds a connector.
type Option func(*SQL)

// WithLogger sets the logger; the default reaches the daemon's log under
// the plugin's name.
func WithLogger(l hclog.Logger) Option { return func(c *SQL) { c.log = l } }

// WithStepHook calls hook at each step of an erasure ("table:NAME" after
// a table's rows are changed, "commit" before committing), so a test can
// stop the database in the middle of a job.
func WithStepHook(hook func(step string)) Option { return func(c *SQL) { c.hook = hook } }

// New returns a connector with no integration configured.
func New(opts ...Option) *SQL {
	c := &SQL{log: sdk.Logger(), integrations: map[string]*integration{}, erased: newAnswers(4096)}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Describe reports what the connector is; it does not depend on settings.
func (c *SQL) Describe(context.Context) (*sdk.Description, error) { return describe(), nil }

// Close closes every integration's connection pool.
func (c *SQL) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, in := range c.integrations {
		_ = in.db.Close()
		delete(c.integrations, name)
	}
}

func (c *SQL) integration(name string) (*integration, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	in, ok := c.integrations[name]
	if !ok {
		return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "the SQL connector is not configured for this integration").
			WithRemediation("Fix the integration's settings so that Configure succeeds; the daemon reports its diagnostics.")
	}
	return in, nil
}

// install replaces an integration's configuration, closing the old pool.
func (c *SQL) install(name string, in *integration) {
	c.mu.Lock()
	old := c.integrations[name]
	c.integrations[name] = in
	c.mu.Unlock()
	if old != nil {
		_ = old.db.Close()
	}
	c.erased.forget(name)
}

func (c *SQL) step(s string) {
	if c.hook != nil {
		c.hook(s)
	}
}
