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
	snaps, err := s.LoadMany(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if snaps[0] == nil {
		return nil, fmt.Errorf("request %s: %w", id, ErrNotFound)
	}
	return snaps[0], nil
}

// LoadMany reads several requests in one round trip per node; a missing
// request leaves a nil entry.
func (s *Store) LoadMany(ctx context.Context, ids []string) ([]*Snapshot, error) {
	type read struct {
		hash     *redis.MapStringStringCmd
		personal *redis.StringCmd
	}
	reads := make([]read, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			reads[i] = read{hash: p.HGetAll(ctx, s.requestKey(id)), personal: p.Get(ctx, s.personalKey(id))}
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("load %d requests: %w", len(ids), err)
	}
	hashes := make([]map[string]string, len(ids))
	for i, id := range ids {
		if hashes[i], err = reads[i].hash.Result(); err != nil {
			return nil, fmt.Errorf("load request %s: %w", id, err)
		}
	}
	exts, err := s.loadExt(ctx, ids, hashes)
	if err != nil {
		return nil, err
	}
	out := make([]*Snapshot, len(ids))
	for i, id := range ids {
		fields := hashes[i]
		if _, ok := fields[fieldRequest]; !ok {
			continue
		}
		pd, err := reads[i].personal.Bytes()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("load request %s: %w", id, err)
		}
		snap, err := s.decodeSnapshot(id, fields, exts[i], pd)
		if err != nil {
			return nil, err
		}
		out[i] = snap
	}
	return out, nil
}

// loadExt reads the ext hashes of the requests whose hash keeps a
// document there (see place): most keep none, and are not read again.
func (s *Store) loadExt(ctx context.Context, ids []string, hashes []map[string]string) ([]map[string]string, error) {
	exts := make([]map[string]string, len(ids))
	var want []int
	for i, fields := range hashes {
		for _, v := range fields {
			if inExt(v) {
				want = append(want, i)
				break
			}
		}
	}
	if len(want) == 0 {
		return exts, nil
	}
	cmds := make([]*redis.MapStringStringCmd, len(want))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for j, i := range want {
			cmds[j] = p.HGetAll(ctx, s.extKey(ids[i]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load %d requests: %w", len(ids), err)
	}
	for j, i := range want {
		if exts[i], err = cmds[j].Result(); err != nil {
			return nil, fmt.Errorf("load request %s: %w", ids[i], err)
		}
	}
	return exts, nil
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
