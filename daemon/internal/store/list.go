package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// Filter selects requests. Zero fields match everything.
type Filter struct {
	Stage state.Stage
	Type  sdk.RequestType
	// Status keeps requests with an integration in this status, narrowed
	// to one integration by Integration.
	Status      state.Status
	Integration string
	// DueBefore keeps requests due before it.
	DueBefore time.Time
	// Email keeps requests whose subject has this email, found through
	// keyed hashes.
	Email string
}

// Matches reports whether a request satisfies the filter (Email aside,
// which is checked against the decrypted subject).
func (f Filter) Matches(s *Snapshot) bool {
	r := s.Request
	if f.Stage != state.StageUnknown && r.Stage != f.Stage {
		return false
	}
	if f.Type != "" && r.Type != f.Type {
		return false
	}
	if !f.DueBefore.IsZero() && !r.DueAt.Before(f.DueBefore) {
		return false
	}
	if f.Email != "" && r.Subject.Email != f.Email {
		return false
	}
	if f.Status != state.StatusUnknown || f.Integration != "" {
		found := false
		for _, i := range s.Integrations {
			if (f.Integration == "" || i.Name == f.Integration) && (f.Status == state.StatusUnknown || i.Status == f.Status) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// List returns up to limit requests matching f, newest first, starting
// after cursor (a request id from a previous page; "" for the first).
// next is "" on the last page. A page may hold fewer than limit requests
// when many index entries had to be checked; it is the last only when next
// is "".
func (s *Store) List(ctx context.Context, f Filter, cursor string, limit int) (page []*Snapshot, next string, err error) {
	if limit <= 0 {
		limit = 50
	}
	if f.Email != "" {
		return s.listByEmail(ctx, f, cursor, limit)
	}
	key := s.indexAll()
	switch {
	case f.Status != state.StatusUnknown:
		key = s.indexStatus(f.Status)
	case f.Stage != state.StageUnknown:
		key = s.indexStage(f.Stage)
	case f.Type != "":
		key = s.indexType(string(f.Type))
	}
	maxScan := limit * 20
	scanned := 0
	max := "+"
	if cursor != "" {
		max = "(" + cursor
	}
	for len(page) < limit && scanned < maxScan {
		batch := int64(limit * 2)
		members, err := s.rdb.ZRevRangeByLex(ctx, key, &redis.ZRangeBy{Max: max, Min: "-", Count: batch}).Result()
		if err != nil {
			return nil, "", fmt.Errorf("list requests: %w", err)
		}
		if len(members) == 0 {
			return page, "", nil
		}
		// Every index entry is a request id, once.
		ids := members
		max = "(" + ids[len(ids)-1]
		snaps, err := s.LoadMany(ctx, ids)
		if err != nil {
			return nil, "", err
		}
		for i, snap := range snaps {
			scanned++
			if snap != nil && f.Matches(snap) {
				page = append(page, snap)
			}
			if len(page) == limit {
				return page, ids[i], nil
			}
		}
		if int64(len(members)) < batch {
			return page, "", nil
		}
	}
	// Scanned as much as one page may: go on from here next time.
	return page, max[1:], nil
}

// listByEmail reads the lookup index's entries under each keyed hash of
// the email (one per key of the ring, for entries written before a
// rotation); every candidate is then checked against its decrypted
// subject.
func (s *Store) listByEmail(ctx context.Context, f Filter, cursor string, limit int) ([]*Snapshot, string, error) {
	seen := map[string]bool{}
	var ids []string
	for _, h := range s.ring.Lookups("email", f.Email) {
		prefix := lookupPrefix(h)
		members, err := s.rdb.ZRangeByLex(ctx, s.lookupKey("email"), &redis.ZRangeBy{Min: "[" + prefix, Max: "[" + prefix + "\xff"}).Result()
		if err != nil {
			return nil, "", fmt.Errorf("list requests by email: %w", err)
		}
		for _, m := range members {
			id := m[len(prefix):]
			if !seen[id] && (cursor == "" || id < cursor) {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	var page []*Snapshot
	for len(ids) > 0 {
		n := min(len(ids), limit)
		snaps, err := s.LoadMany(ctx, ids[:n])
		if err != nil {
			return nil, "", err
		}
		for i, snap := range snaps {
			if snap != nil && f.Matches(snap) {
				page = append(page, snap)
			}
			if len(page) == limit {
				if i+1 < len(ids) {
					return page, ids[i], nil
				}
				return page, "", nil
			}
		}
		ids = ids[n:]
	}
	return page, "", nil
}

// Scan calls fn with the id of every request in stage st, oldest first,
// for background work such as reconciliation.
func (s *Store) Scan(ctx context.Context, st state.Stage, fn func(id string) error) error {
	min := "-"
	for {
		members, err := s.rdb.ZRangeByLex(ctx, s.indexStage(st), &redis.ZRangeBy{Min: min, Max: "+", Count: 500}).Result()
		if err != nil {
			return fmt.Errorf("scan %s requests: %w", st, err)
		}
		for _, m := range members {
			if err := fn(m); err != nil {
				return err
			}
		}
		if len(members) < 500 {
			return nil
		}
		min = "(" + members[len(members)-1]
	}
}
