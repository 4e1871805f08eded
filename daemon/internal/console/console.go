package console

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/websecure"
)

// Path is where the console is served.
const Path = "/ui/"

// Engine is what the console needs of the workflow engine: the admin
// API's calls, and Note to record a reveal of the subject's email.
type Engine interface {
	api.Engine
	Note(ctx context.Context, id string, ev engine.Event) error
}

// StageCounter counts requests per stage for the list's header.
type StageCounter interface {
	CountStage(ctx context.Context, st state.Stage) (int64, error)
}

// Options configure a Console. Engine, Tokens, Redis and Keys are
// required.
type Options struct {
	Engine Engine
	Tokens *auth.Tokens
	// Keys are the daemon's encryption keys. The CSRF key is derived from
	// them, so every daemon sharing the configuration and Redis accepts a
	// form another rendered, and a restart leaves open forms valid.
	Keys *seal.KeyRing
	// Redis holds the sessions.
	Redis  redis.UniversalClient
	Prefix string
	// Replier composes and sends replies, as the API's; without it a
	// close records the reply as typed.
	Replier api.Replier
	// Inventory is the data inventory, as the API's ListIntegrations and
	// TestIntegration read it; without it the page says so.
	Inventory api.Inventory
	// Counter counts requests per stage; without it the counts are not shown.
	Counter StageCounter
	// IdleTimeout ends a session unused this long (default 30 minutes);
	// AbsoluteTimeout ends any session this old (default 12 hours).
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	Clock           func() time.Time
	Logger          hclog.Logger
}

// Console serves the operator console.
type Console struct {
	eng       Engine
	tokens    *auth.Tokens
	rdb       redis.UniversalClient
	prefix    string
	replier   api.Replier
	counter   StageCounter
	inventory api.Inventory
	idle      time.Duration
	absolute  time.Duration
	now       func() time.Time
	log       hclog.Logger
	csrf      websecure.CSRF
	handler   http.Handler
}

// New builds the console.
func New(o Options) (*Console, error) {
	if o.Engine == nil || o.Tokens == nil || o.Redis == nil || o.Keys == nil {
		return nil, errors.New("console: Engine, Tokens, Redis and Keys are required")
	}
	c := &Console{
		eng: o.Engine, tokens: o.Tokens, rdb: o.Redis, prefix: o.Prefix, replier: o.Replier, counter: o.Counter, inventory: o.Inventory,
		idle: o.IdleTimeout, absolute: o.AbsoluteTimeout, now: o.Clock, log: o.Logger,
	}
	if c.prefix == "" {
		c.prefix = "dsrhost"
	}
	if c.idle <= 0 {
		c.idle = 30 * time.Minute
	}
	if c.absolute <= 0 {
		c.absolute = 12 * time.Hour
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = hclog.NewNullLogger()
	}
	// Sessions are in Redis and the CSRF key comes from the shared
	// encryption key: behind a load balancer any daemon accepts a form any
	// other rendered. A key rotation only asks open forms to be reloaded.
	c.csrf = websecure.CSRF{Key: []byte(o.Keys.Lookup("console", "csrf")), Session: cookieSession}
	c.handler = websecure.Headers(contentSecurityPolicy, c.csrf.Wrap(c.routes()))
	return c, nil
}

// Handler serves everything under Path.
func (c *Console) Handler() http.Handler { return c.handler }

func (c *Console) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ui/static/live.js", serveScript)
	mux.HandleFunc("GET /ui/signin", c.signInPage)
	mux.HandleFunc("POST /ui/signin", c.signIn)
	mux.HandleFunc("POST /ui/signout", c.signOut)
	mux.Handle("GET /ui/{$}", c.viewer(c.listPage))
	mux.Handle("GET /ui/requests/{id}", c.viewer(c.requestPage))
	mux.Handle("GET /ui/integrations", c.viewer(c.inventoryPage))
	mux.Handle("GET /ui/reports", c.viewer(c.reportPage))
	mux.Handle("GET /ui/reports.csv", c.viewer(c.reportCSV))
	mux.Handle("POST /ui/integrations/{name}/test", c.operator(c.testIntegration))
	mux.Handle("GET /ui/requests/{id}/version", c.viewer(c.version))
	mux.Handle("POST /ui/requests/{id}/reveal", c.viewer(c.reveal))
	mux.Handle("GET /ui/requests/{id}/export", c.viewer(c.export))
	mux.Handle("POST /ui/requests/{id}/approve", c.operator(c.approve))
	mux.Handle("POST /ui/requests/{id}/reject", c.operator(c.reject))
	mux.Handle("POST /ui/requests/{id}/approve-deletion", c.operator(c.approveDeletion))
	mux.Handle("POST /ui/requests/{id}/close", c.operator(c.closeRequest))
	mux.Handle("POST /ui/requests/{id}/extend", c.operator(c.extend))
	mux.Handle("POST /ui/requests/{id}/integrations/{name}/{action}", c.operator(c.integrationAction))
	mux.Handle("POST /ui/requests/{id}/manual/{name}/complete", c.operator(c.completeTask))
	mux.HandleFunc("/ui/", func(w http.ResponseWriter, r *http.Request) {
		c.message(w, r, nil, http.StatusNotFound, "Not found", "There is no such page in the console.")
	})
	return mux
}

// handlerFunc is a page or action of a signed-in operator.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *session)

// viewer serves h to any signed-in session; operator only to sessions
// whose token may act (role operator or admin), refusing the rest.
func (c *Console) viewer(h handlerFunc) http.Handler { return c.signedIn(auth.Viewer, h) }

func (c *Console) operator(h handlerFunc) http.Handler { return c.signedIn(auth.Operator, h) }

func (c *Console) signedIn(need auth.Role, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := c.loadSession(r.Context(), r)
		if err != nil {
			c.unavailable(w, r, err)
			return
		}
		if s == nil {
			http.Redirect(w, r, "/ui/signin?expired=1", http.StatusSeeOther)
			return
		}
		if !s.role.Allows(need) {
			c.log.Warn("console: action refused to role", "token", s.name, "role", s.role.String(), "path", r.URL.Path)
			c.message(w, r, s, http.StatusForbidden, "Not allowed",
				"Your token's role ("+s.role.String()+") may read requests but not act on them. Sign in with an operator or admin token.")
			return
		}
		h(w, r, s)
	})
}

// fail answers an engine error: what the operator can fix as a message,
// anything else (Redis unreachable) as the unavailable page.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	switch {
	case errors.Is(err, engine.ErrNotFound):
		c.message(w, r, s, http.StatusNotFound, "Not found", "There is no such request, integration or task.")
	case errors.As(err, new(*reply.SendError)):
		c.message(w, r, s, http.StatusServiceUnavailable, "Not sent", err.Error())
	case errors.Is(err, engine.ErrFailedPrecondition), errors.Is(err, engine.ErrInvalidArgument):
		c.message(w, r, s, http.StatusConflict, "Not done", err.Error())
	default:
		c.unavailable(w, r, err)
	}
}

func (c *Console) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	c.log.Error("console: unavailable", "path", r.URL.Path, "error", err)
	c.message(w, r, nil, http.StatusServiceUnavailable, "Unavailable",
		"The console cannot reach its storage (Redis) right now. Nothing was changed. Wait a moment and reload the page; you stay signed in.")
}
