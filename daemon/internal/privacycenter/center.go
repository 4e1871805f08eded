package privacycenter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/websecure"
)

// Path is where the pages live, on the privacy center's own listener or,
// in dev mode, on the dev listener.
const Path = "/privacy/"

// Engine is what the privacy center needs of the workflow engine.
type Engine interface {
	Create(ctx context.Context, in engine.CreateInput) (*engine.Request, error)
	Get(ctx context.Context, id string) (*engine.Request, error)
	List(ctx context.Context, f engine.Filter, cursor string, limit int) ([]*engine.Request, string, error)
	History(ctx context.Context, id string) ([]engine.Event, error)
	Results(ctx context.Context, id string) ([]engine.Result, error)
	Note(ctx context.Context, id string, ev engine.Event) error
}

// Mailer sends the privacy center's emails.
type Mailer interface {
	SendTo(ctx context.Context, to, subject, body string) error
}

// Options configure a Center.
type Options struct {
	Config *config.PrivacyCenter
	Engine Engine
	// Keys seal pending submissions and link tokens: the encryption key
	// ring, so a key rotation keeps old links working.
	Keys  *seal.KeyRing
	Redis redis.UniversalClient
	// Prefix starts every Redis key (default "dsrhost", the engine's).
	Prefix string
	Mailer Mailer
	// ResultsRetention is how long access results are kept after close.
	ResultsRetention time.Duration
	Metrics          Metrics
	Clock            func() time.Time
	Logger           hclog.Logger
}

// Center serves the privacy center.
type Center struct {
	cfg     *config.PrivacyCenter
	engine  Engine
	tokens  *Tokens
	pending *pendingStore
	limits  *limiter
	rdb     redis.UniversalClient
	prefix  string
	mailer  Mailer
	keep    time.Duration
	metrics Metrics
	now     func() time.Time
	log     hclog.Logger
	csrf    websecure.CSRF
	base    string
}

// New checks the options and returns a Center.
func New(opts Options) (*Center, error) {
	if opts.Config == nil || opts.Engine == nil || opts.Keys == nil || opts.Redis == nil || opts.Mailer == nil {
		return nil, errors.New("privacy center: config, engine, keys, redis and mailer are required")
	}
	if opts.Prefix == "" {
		opts.Prefix = "dsrhost"
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.Metrics == nil {
		opts.Metrics = noMetrics{}
	}
	if opts.ResultsRetention <= 0 {
		opts.ResultsRetention = 30 * 24 * time.Hour
	}
	cfg := opts.Config
	c := &Center{
		cfg: cfg, engine: opts.Engine, tokens: NewTokens(opts.Keys), rdb: opts.Redis, prefix: opts.Prefix,
		pending: &pendingStore{rdb: opts.Redis, prefix: opts.Prefix, keys: opts.Keys, ttl: cfg.Verification.TTL.Duration},
		limits:  &limiter{rdb: opts.Redis, prefix: opts.Prefix, keys: opts.Keys, window: cfg.Limits.Window.Duration, now: opts.Clock},
		mailer:  opts.Mailer, keep: opts.ResultsRetention, metrics: opts.Metrics, now: opts.Clock,
		log: opts.Logger, base: strings.TrimRight(cfg.PublicURL, "/"),
	}
	c.csrf = websecure.CSRF{Key: []byte(opts.Keys.Lookup("privacy-center", "csrf")), Session: sessionOf}
	if c.pending.ttl <= 0 || c.limits.window <= 0 {
		return nil, fmt.Errorf("privacy center: verification ttl and rate limit window must be positive")
	}
	return c, nil
}

// maxBody bounds a form post: the fields are short. An authorized agent's
// form also carries the signed permission, up to maxPermission.
const (
	maxBody      = 64 << 10
	maxAgentBody = maxPermission + maxBody
)

// Handler serves every page; mount it at Path.
func (c *Center) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path+"{$}", c.home)
	mux.HandleFunc("GET "+Path+"request/{type}", c.showForm)
	mux.HandleFunc("POST "+Path+"request/{type}", c.submit)
	mux.HandleFunc("GET "+Path+"agent/{type}", c.showAgentForm)
	mux.HandleFunc("POST "+Path+"agent/{type}", c.submitAgent)
	mux.HandleFunc("GET "+Path+"verify/{id}", c.showVerify)
	mux.HandleFunc("POST "+Path+"verify/{id}", c.verify)
	mux.HandleFunc("GET "+Path+"status/{token}", c.status)
	mux.HandleFunc("GET "+Path+"download/{token}", c.showDownload)
	mux.HandleFunc("POST "+Path+"download/{token}", c.download)
	mux.HandleFunc(Path, func(w http.ResponseWriter, r *http.Request) {
		c.message(w, r, http.StatusNotFound, msgNotFound)
	})
	return websecure.Headers(pages.CSP(), c.limitBody(c.csrf.Wrap(mux)))
}

// limitBody refuses a post over maxBody before anything reads it.
func (c *Center) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			limit := int64(maxBody)
			if strings.HasPrefix(r.URL.Path, Path+"agent/") {
				limit = maxAgentBody
			}
			if r.ContentLength > limit {
				c.message(w, r, http.StatusRequestEntityTooLarge, msgTooLarge)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// url is an absolute link to a page, for emails.
func (c *Center) url(path string) string { return c.base + path }
