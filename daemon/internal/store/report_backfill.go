package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// Requests written before the report index existed have no entry. The
// engine's start (or the first report, if it comes first) gives each one
// its entry from the request
// itself (its stage, outcome, integrations and manual tasks: what
// ComplianceOf reads), then sets a marker so no later report pays for
// it. A crash halfway leaves the marker unset and the next report starts
// over; entries are only added where a request has none, so running twice,
// or beside commits writing entries of their own, changes nothing.

// hasEntry is the Lua both scripts below share: whether the report index
// (KEYS[1]) holds an entry of request id at score s.
const hasEntry = `
local function has(s, id)
  for _, e in ipairs(redis.call('ZRANGE', KEYS[1], s, s, 'BYSCORE')) do
    if string.sub(e, 1, #id + 1) == id .. '|' then return true end
  end
  return false
end
`

// backfillScript adds report entries (KEYS[1]) where the request has none
// yet. ARGV holds (score, id, member) triples.
var backfillScript = redis.NewScript(hasEntry + `
local added = 0
for i = 1, #ARGV, 3 do
  local s, id, m = ARGV[i], ARGV[i+1], ARGV[i+2]
  if not has(s, id) then redis.call('ZADD', KEYS[1], s, m); added = added + 1 end
end
return added
`)

// unindexedScript returns the ids of ARGV's (score, id) pairs that have
// no entry at that score in the report index (KEYS[1]).
var unindexedScript = redis.NewScript(hasEntry + `
local out = {}
for i = 1, #ARGV, 2 do
  if not has(ARGV[i], ARGV[i+1]) then out[#out+1] = ARGV[i+1] end
end
return out
`)

// PrepareReport gives requests written before the report index existed
// their entries, once: the engine calls it when it starts, and Report
// calls it too in case it comes first.
func (s *Store) PrepareReport(ctx context.Context) error { return s.backfillOnce(ctx) }

// backfillOnce runs Backfill unless its marker says it ran.
func (s *Store) backfillOnce(ctx context.Context) error {
	n, err := s.rdb.Exists(ctx, s.backfillMarker()).Result()
	if err != nil {
		return fmt.Errorf("read report backfill marker: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := s.Backfill(ctx); err != nil {
		return err
	}
	if err := s.rdb.Set(ctx, s.backfillMarker(), "1", 0).Err(); err != nil {
		return fmt.Errorf("set report backfill marker: %w", err)
	}
	return nil
}

// Backfill gives every stored request without a report entry its entry,
// reading requests 500 at a time in creation order, and returns how many
// it added.
func (s *Store) Backfill(ctx context.Context) (int, error) {
	const batch = 500
	added := 0
	min := "-"
	for {
		ids, err := s.rdb.ZRangeByLex(ctx, s.indexAll(), &redis.ZRangeBy{Min: min, Max: "+", Count: batch}).Result()
		if err != nil {
			return added, fmt.Errorf("backfill report index: %w", err)
		}
		if len(ids) == 0 {
			return added, nil
		}
		missing, err := s.unindexed(ctx, ids)
		if err != nil {
			return added, fmt.Errorf("backfill report index: %w", err)
		}
		snaps, err := s.LoadMany(ctx, missing)
		if err != nil {
			return added, fmt.Errorf("backfill report index: %w", err)
		}
		args := make([]any, 0, 3*len(snaps))
		for _, snap := range snaps {
			if snap == nil {
				continue
			}
			r := snap.Request
			c := ComplianceOpen
			if r.Stage == state.StageClosed {
				c = ComplianceOf(snap)
			}
			args = append(args, strconv.FormatInt(r.CreatedAt.UnixMilli(), 10), r.ID, reportMember(r, c))
		}
		if len(args) > 0 {
			// A commit may have indexed one since unindexed looked: the
			// script adds only where there is still no entry.
			n, err := backfillScript.Run(ctx, s.rdb, []string{s.indexReport()}, args...).Int()
			if err != nil {
				return added, fmt.Errorf("backfill report index: %w", err)
			}
			added += n
		}
		if len(ids) < batch {
			return added, nil
		}
		min = "(" + ids[len(ids)-1]
	}
}

// unindexed returns the ids that have no report entry at their creation
// time, read from the id itself (a ULID, made from the time the request
// was created), so requests already indexed, every one written by this
// version, are not read. An id whose entry is elsewhere (one filed with
// a creation time other than its id's) comes back too, and is checked
// again against its request.
func (s *Store) unindexed(ctx context.Context, ids []string) ([]string, error) {
	args := make([]any, 0, 2*len(ids))
	var odd []string
	for _, id := range ids {
		u, err := ulid.ParseStrict(id)
		if err != nil {
			odd = append(odd, id)
			continue
		}
		args = append(args, strconv.FormatUint(u.Time(), 10), id)
	}
	if len(args) == 0 {
		return odd, nil
	}
	missing, err := unindexedScript.Run(ctx, s.rdb, []string{s.indexReport()}, args...).StringSlice()
	if err != nil {
		return nil, err
	}
	return append(odd, missing...), nil
}
