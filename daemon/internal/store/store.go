package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/seal"
)

// ErrNotFound is returned for a request id that does not exist.
var ErrNotFound = errors.New("request not found")

// ErrConflict is returned by Commit when an object changed since it was
// read. The caller reads again and decides again.
var ErrConflict = errors.New("changed concurrently")

// Store reads and writes requests. It is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	codec  sealer
	ring   *seal.KeyRing
}

// New returns a Store over rdb (a *redis.Client, *redis.ClusterClient or
// failover client) whose keys start with prefix, sealing personal data
// with ring.
func New(rdb redis.UniversalClient, prefix string, ring *seal.KeyRing) *Store {
	if prefix == "" {
		prefix = "dsrhost"
	}
	return &Store{rdb: rdb, prefix: prefix, codec: sealer{ring: ring}, ring: ring}
}

// Prefix is the prefix of every key the store writes.
func (s *Store) Prefix() string { return s.prefix }

// Load reads one request.
func (s *Store) Load(ctx context.Context, id string) (*Snapshot, error) {
	return s.LoadWith(ctx, id, nil)
}

// LoadWith is Load with the commands also queues sent in the same
// pipeline as the request's reads, to spare them a round trip of their
// own; their answers and errors are theirs to read. A request read again
// with its ext hash (see LoadMany) is read without them.
func (s *Store) LoadWith(ctx context.Context, id string, also func(redis.Pipeliner)) (*Snapshot, error) {
	snaps, err := s.loadMany(ctx, []string{id}, also)
	if err != nil {
		return nil, err
	}
	if snaps[0] == nil {
		return nil, fmt.Errorf("request %s: %w", id, ErrNotFound)
	}
	return snaps[0], nil
}

// LoadMany reads several requests in one round trip per node (a second
// for those keeping a document in their ext hash); a missing
// request leaves a nil entry.
func (s *Store) LoadMany(ctx context.Context, ids []string) ([]*Snapshot, error) {
	return s.loadMany(ctx, ids, nil)
}

func (s *Store) loadMany(ctx context.Context, ids []string, also func(redis.Pipeliner)) ([]*Snapshot, error) {
	reads := make([]requestRead, len(ids))
	if err := s.readRequests(ctx, ids, reads, false, also); err != nil {
		return nil, err
	}
	// A request keeping a document in its ext hash (see place; most keep
	// none) is read again with it, the three keys in one pipeline as the
	// commit script writes them together, so no value is paired with an
	// ext field a commit has since replaced.
	var again []string
	var at []int
	for i := range reads {
		if reads[i].inExt() {
			again, at = append(again, ids[i]), append(at, i)
		}
	}
	if len(again) > 0 {
		withExt := make([]requestRead, len(again))
		if err := s.readRequests(ctx, again, withExt, true, nil); err != nil {
			return nil, err
		}
		for j, i := range at {
			reads[i] = withExt[j]
		}
	}
	out := make([]*Snapshot, len(ids))
	for i, id := range ids {
		r := reads[i]
		if _, ok := r.hash[fieldRequest]; !ok {
			continue
		}
		snap, err := s.decodeSnapshot(id, r.hash, r.ext, r.personal)
		if err != nil {
			return nil, err
		}
		out[i] = snap
	}
	return out, nil
}

// requestRead is what one read of a request returned.
type requestRead struct {
	hash, ext map[string]string
	personal  []byte
}

// inExt reports whether the request hash keeps a document in ext.
func (r requestRead) inExt() bool {
	for _, v := range r.hash {
		if inExt(v) {
			return true
		}
	}
	return false
}

// readRequests reads the hash and personal data of each request into out,
// and its ext hash too when withExt is set, in one pipeline, with what
// also queues.
func (s *Store) readRequests(ctx context.Context, ids []string, out []requestRead, withExt bool, also func(redis.Pipeliner)) error {
	type cmds struct {
		hash, ext *redis.MapStringStringCmd
		personal  *redis.StringCmd
	}
	cs := make([]cmds, len(ids))
	// Only this read's own commands' errors count, each read below:
	// also's are its caller's.
	_, _ = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		if also != nil {
			also(p)
		}
		for i, id := range ids {
			cs[i].hash = p.HGetAll(ctx, s.requestKey(id))
			if withExt {
				cs[i].ext = p.HGetAll(ctx, s.extKey(id))
			}
			cs[i].personal = p.Get(ctx, s.personalKey(id))
		}
		return nil
	})
	for i, id := range ids {
		var err error
		if out[i].hash, err = cs[i].hash.Result(); err != nil {
			return fmt.Errorf("load request %s: %w", id, err)
		}
		if withExt {
			if out[i].ext, err = cs[i].ext.Result(); err != nil {
				return fmt.Errorf("load request %s: %w", id, err)
			}
		}
		if out[i].personal, err = cs[i].personal.Bytes(); err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("load request %s: %w", id, err)
		}
	}
	return nil
}

// decodeSnapshot reads a request hash: "r" the request, "x:<name>" and
// "d:<name>" integration states, "m:<name>" manual tasks; status counters
// ("#<letter>") only serve the indexes. Documents too long to keep inline
// are in ext (see place).
func (s *Store) decodeSnapshot(id string, fields, ext map[string]string, personal []byte) (*Snapshot, error) {
	version, doc, err := docOf(fieldRequest, fields[fieldRequest], ext)
	if err != nil {
		return nil, fmt.Errorf("decode request %s: %w", id, err)
	}
	req, err := s.codec.decodeRequest(id, version, doc, personal)
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{Request: req}
	for f, v := range fields {
		if len(f) < 2 || f[1] != ':' {
			continue
		}
		w, isIntegration := workflowOfLetter(f[0])
		if !isIntegration && f[0] != prefixManual[0] {
			continue
		}
		version, doc, err := docOf(f, v, ext)
		if err != nil {
			return nil, fmt.Errorf("decode request %s: %w", id, err)
		}
		if !isIntegration {
			m, err := s.codec.decodeManual(id, f[2:], version, doc)
			if err != nil {
				return nil, err
			}
			snap.Manual = append(snap.Manual, m)
			continue
		}
		it, err := s.codec.decodeIntegration(id, w, f[2:], version, doc)
		if err != nil {
			return nil, err
		}
		snap.Integrations = append(snap.Integrations, it)
	}
	slices.SortFunc(snap.Integrations, func(a, b *Integration) int {
		if a.Workflow != b.Workflow {
			return int(a.Workflow) - int(b.Workflow)
		}
		if a.Order != b.Order {
			return a.Order - b.Order
		}
		return strings.Compare(a.Name, b.Name)
	})
	slices.SortFunc(snap.Manual, func(a, b *ManualTask) int {
		if a.Order != b.Order {
			return a.Order - b.Order
		}
		return strings.Compare(a.Name, b.Name)
	})
	return snap, nil
}
