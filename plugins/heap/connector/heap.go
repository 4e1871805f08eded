package connector

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/sdk"
)

// Name is the connector's name, the <name> of dsrhost-plugin-<name>.
const Name = "heap"

// Version is the connector's version, shown in the data inventory. Builds
// may override it with -ldflags "-X ...connector.Version=...".
var Version = "0.1.0"

// Heap is the Heap connector. The zero value is not usable; call [New].
type Heap struct {
	now       func() time.Time
	transport http.RoundTripper
	log       hclog.Logger

	mu     sync.RWMutex
	client *client
	// submitted remembers deletion requests by job idempotency key.
	submitted *submissions
}

var (
	_ sdk.Connector    = (*Heap)(nil)
	_ sdk.DeletePoller = (*Heap)(nil)
)

// Option changes how [New] builds a connector; tests use them.
type Option func(*Heap)

// WithClock sets the connector's time source, which decides when a cached
// access token has expired.
func WithClock(now func() time.Time) Option { return func(h *Heap) { h.now = now } }

// WithTransport sets the HTTP transport used to reach Heap.
func WithTransport(rt http.RoundTripper) Option { return func(h *Heap) { h.transport = rt } }

// WithLogger sets the logger; the default is sdk.Logger(), which reaches the
// daemon's log under the plugin's name.
func WithLogger(l hclog.Logger) Option { return func(h *Heap) { h.log = l } }

// New returns an unconfigured Heap connector.
func New(opts ...Option) *Heap {
	h := &Heap{now: time.Now, log: sdk.Logger(), submitted: newSubmissions(maxRemembered)}
	for _, o := range opts {
		o(h)
	}
	return h
}

// configured returns the client Configure built, or an invalid_config error
// when Configure has not succeeded yet.
func (h *Heap) configured() (*client, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.client == nil {
		return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "the Heap connector is not configured").
			WithRemediation("Fix the integration's settings so that Configure succeeds; the daemon reports its diagnostics.")
	}
	return h.client, nil
}

// use installs a client built from new settings. Deletion requests
// remembered for another Heap account are forgotten, since a job for the new
// account must really be submitted there.
func (h *Heap) use(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.client != nil && h.client.account() != c.account() {
		h.submitted.reset()
	}
	h.client = c
}

// Describe reports what the connector is; it does not depend on settings.
func (h *Heap) Describe(context.Context) (*sdk.Description, error) {
	return describe(), nil
}
