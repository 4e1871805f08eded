package fakeheap

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// The API paths Heap serves, relative to the base URL.
const (
	PathAuthToken      = "/api/public/v0/auth_token"
	PathUserDeletion   = "/api/public/v0/user_deletion"
	PathDeletionStatus = "/api/public/v0/deletion_status/"
)

// Endpoint names one of the three API calls, for [Server.Calls] and
// [Server.Fail].
type Endpoint string

// The endpoints.
const (
	EndpointAuthToken      Endpoint = "auth_token"
	EndpointUserDeletion   Endpoint = "user_deletion"
	EndpointDeletionStatus Endpoint = "deletion_status"
)

// MaxUsers is the most users Heap accepts in one user_deletion call.
const MaxUsers = 10000

// NonProductionMessage is the "err" text the fake answers, with status 401,
// when the app id belongs to an environment other than Main Production.
//
// Heap documents only that such an app id gets "an Unauthorized response";
// it does not document a distinct status. The fake therefore keeps the 401
// and says why in the body's "err" field, mentioning the environment, which
// is the observable signal connectors may use to tell a non-production app
// id (a permission problem with app_id) from a wrong key (an auth problem
// with api_key).
const NonProductionMessage = "Unauthorized: app_id is not the Main Production environment of this account"

// Config describes the Heap account the fake pretends to be.
type Config struct {
	// AppID is the Main Production environment's id, the only app id the
	// User Deletion API accepts.
	AppID string
	// APIKey is the account's API key.
	APIKey string
	// NonProductionAppIDs are ids of the account's other environments: with
	// the right key they are refused with [NonProductionMessage].
	NonProductionAppIDs []string
	// TokenTTL is how long an access token is accepted; Heap's expire after
	// five minutes, the default.
	TokenTTL time.Duration
	// PendingPolls is how many deletion_status calls answer "pending" before
	// a deletion request answers "complete"; zero completes at the first.
	PendingPolls int
	// BucketSize enables the leaky-bucket rate limit: this many requests may
	// be in the bucket, which drains one request per LeakInterval; a request
	// that would overflow it answers 429 with Retry-After. Zero disables it.
	BucketSize int
	// LeakInterval defaults to one second.
	LeakInterval time.Duration
	// Clock is the fake's time source, time.Now when nil. Tests pass a fixed
	// time and move it with [Server.Advance].
	Clock func() time.Time
}

// Deletion is one accepted user_deletion call.
type Deletion struct {
	ID    string
	Users []User
	// Polls counts the deletion_status calls made for it.
	Polls int
}

// User is one entry of a user_deletion body. Exactly one field is set.
type User struct {
	Identity string
	UserID   string
}

// Fault is an answer the fake gives instead of the real one, once.
type Fault struct {
	Status int
	// Body is written as is, so it may be malformed JSON.
	Body   string
	Header http.Header
	// Hang blocks until the client gives up, to test timeouts.
	Hang bool
}

// Server is the fake Heap API. It is safe for concurrent use.
type Server struct {
	cfg Config
	mux *http.ServeMux

	mu        sync.Mutex
	offset    time.Duration
	tokens    map[string]time.Time
	issued    int
	deletions map[string]*Deletion
	order     []string
	calls     map[Endpoint]int
	faults    map[Endpoint][]Fault
	bucket    leakyBucket
}

// New returns a fake Heap API for the account cfg describes.
func New(cfg Config) *Server {
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 5 * time.Minute
	}
	if cfg.LeakInterval <= 0 {
		cfg.LeakInterval = time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	s := &Server{
		cfg:       cfg,
		tokens:    make(map[string]time.Time),
		deletions: make(map[string]*Deletion),
		calls:     make(map[Endpoint]int),
		faults:    make(map[Endpoint][]Fault),
		bucket:    leakyBucket{size: cfg.BucketSize, leak: cfg.LeakInterval},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathAuthToken, s.guard(EndpointAuthToken, s.authToken))
	mux.HandleFunc("POST "+PathUserDeletion, s.guard(EndpointUserDeletion, s.bearer(s.userDeletion)))
	mux.HandleFunc("GET "+PathDeletionStatus+"{id}", s.guard(EndpointDeletionStatus, s.bearer(s.deletionStatus)))
	s.mux = mux
	return s
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Advance moves the fake's clock forward, expiring tokens and draining the
// rate-limit bucket.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// now is the fake's time; callers hold s.mu.
func (s *Server) now() time.Time { return s.cfg.Clock().Add(s.offset) }

// Calls reports how many requests reached endpoint, refused ones included.
func (s *Server) Calls(e Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[e]
}

// TokensIssued reports how many access tokens the fake has handed out.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// Deletions returns every accepted deletion request, oldest first.
func (s *Server) Deletions() []Deletion {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Deletion, 0, len(s.order))
	for _, id := range s.order {
		d := *s.deletions[id]
		d.Users = append([]User(nil), d.Users...)
		out = append(out, d)
	}
	return out
}

// Fail queues faults that the next calls to e answer instead of the real
// answer, one call each, in order.
func (s *Server) Fail(e Endpoint, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[e] = append(s.faults[e], faults...)
}

// guard counts the call, then answers a queued fault or a rate limit before
// letting next handle it.
func (s *Server) guard(e Endpoint, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[e]++
		var fault *Fault
		if q := s.faults[e]; len(q) > 0 {
			fault, s.faults[e] = &q[0], q[1:]
		}
		var retryAfter time.Duration
		limited := fault == nil && !s.bucket.admit(s.now(), &retryAfter)
		s.mu.Unlock()

		switch {
		case fault != nil:
			writeFault(w, r, fault)
		case limited:
			w.Header().Set("Retry-After", retryAfterSeconds(retryAfter))
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"err": "Too Many Requests"})
		default:
			next(w, r)
		}
	}
}

func writeFault(w http.ResponseWriter, r *http.Request, f *Fault) {
	if f.Hang {
		// Read the body first: net/http notices the client hanging up, and
		// cancels the request's context, only once the body is consumed.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
		return
	}
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(f.Body))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"err": msg})
}
