package telemetry

import (
	"net/http"
	"net/http/pprof"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dsrhost/dsrhost/daemon/internal/auth"
)

// Paths served by Routes.
const (
	MetricsPath = "/metrics"
	PprofPath   = "/debug/pprof/"
)

// RoutesOptions say what Routes serves.
type RoutesOptions struct {
	// Metrics serves /metrics when set (prometheus_metrics = true).
	Metrics *Metrics
	// Tokens guard pprof; nil or Profiling false serves no pprof.
	Tokens    *auth.Tokens
	Profiling bool
	Logger    hclog.Logger
}

// Routes are the telemetry handlers by ServeMux pattern, to serve on the
// telemetry listener or beside the admin API: /metrics open to scrapers
// (it holds no personal data), /debug/pprof/ to admin tokens only, as a
// profile shows memory that may hold anything.
func Routes(o RoutesOptions) map[string]http.Handler {
	routes := map[string]http.Handler{}
	if o.Metrics != nil {
		routes[MetricsPath] = promhttp.HandlerFor(o.Metrics.reg, promhttp.HandlerOpts{ErrorLog: promLogger{o.Logger}})
	}
	if o.Profiling && o.Tokens != nil {
		mux := http.NewServeMux()
		mux.HandleFunc(PprofPath, pprof.Index)
		mux.HandleFunc(PprofPath+"cmdline", pprof.Cmdline)
		mux.HandleFunc(PprofPath+"profile", pprof.Profile)
		mux.HandleFunc(PprofPath+"symbol", pprof.Symbol)
		mux.HandleFunc(PprofPath+"trace", pprof.Trace)
		routes[PprofPath] = adminOnly(o.Tokens, mux)
	}
	return routes
}

// adminOnly lets through requests bearing an admin token.
func adminOnly(tokens *auth.Tokens, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := auth.BearerToken(r.Header)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dsrhost"`)
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		p, ok := tokens.Authenticate(token)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dsrhost"`)
			http.Error(w, "unknown admin token", http.StatusUnauthorized)
			return
		}
		if !p.Role.Allows(auth.Admin) {
			http.Error(w, "profiling needs an admin token; "+p.Name+" is a "+p.Role.String(), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// promLogger sends promhttp's errors to the daemon's log.
type promLogger struct{ log hclog.Logger }

func (l promLogger) Println(v ...any) {
	if l.log != nil {
		l.log.Error("serving metrics", "error", v)
	}
}
