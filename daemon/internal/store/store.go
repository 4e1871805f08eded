package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
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
	fields, err := s.rdb.HGetAll(ctx, s.requestKey(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("load request %s: %w", id, err)
	}
	return s.decodeSnapshot(id, fields)
}

// LoadMany reads several requests in one round trip per node; a missing
// request leaves a nil entry.
func (s *Store) LoadMany(ctx context.Context, ids []string) ([]*Snapshot, error) {
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HGetAll(ctx, s.requestKey(id))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load %d requests: %w", len(ids), err)
	}
	out := make([]*Snapshot, len(ids))
	for i, id := range ids {
		snap, err := s.decodeSnapshot(id, cmds[i].Val())
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i] = snap
	}
	return out, nil
}

func (s *Store) decodeSnapshot(id string, fields map[string]string) (*Snapshot, error) {
	doc, ok := fields[fieldRequest]
	if !ok {
		return nil, fmt.Errorf("request %s: %w", id, ErrNotFound)
	}
	req, err := s.codec.decodeRequest(id, doc)
	if err != nil {
		return nil, err
	}
	req.Version = version(fields, fieldRequest)
	snap := &Snapshot{Request: req}
	for f, v := range fields {
		switch {
		case strings.HasPrefix(f, prefixIntegation):
			it, err := s.codec.decodeIntegration(id, v)
			if err != nil {
				return nil, err
			}
			it.Version = version(fields, f)
			snap.Integrations = append(snap.Integrations, it)
		case strings.HasPrefix(f, prefixManual):
			m, err := s.codec.decodeManual(id, v)
			if err != nil {
				return nil, err
			}
			m.Version = version(fields, f)
			snap.Manual = append(snap.Manual, m)
		}
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

func version(fields map[string]string, f string) int64 {
	v, _ := strconv.ParseInt(fields[prefixVersion+f], 10, 64)
	return v
}
