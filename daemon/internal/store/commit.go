package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// commitScript applies a Tx atomically. KEYS[1] is the request hash,
// KEYS[2] its history stream, KEYS[3..] result keys, then (on a single
// node only) index keys. ARGV is flat so that sealed (binary) values pass
// untouched:
//
//	nChecks, (field, version)...
//	nWrites, (field, value, version)...
//	nDeletes, (field, version)...
//	nResults, (keyIndex, value, ttlMillis)...
//	nExpires, (keyIndex, ttlMillis)...
//	nEvents, (nPairs, field, value, ...)...
//	nIndex, (keyIndex, op, member)...
//
// Every version is checked before anything is written; on a mismatch the
// script returns {0, field} and writes nothing. Otherwise it returns {1,
// historyIDs...}. Index ops are "za"/"zr" (ZADD score 0 / ZREM) and
// "sa"/"sr" (SADD / SREM); a Cluster client passes none, since index keys
// live in other slots than the request's.
var commitScript = redis.NewScript(`
local h = KEYS[1]
local a = 1
local function nxt() local v = ARGV[a]; a = a + 1; return v end
local function ver(f)
  local v = redis.call('HGET', h, 'v:' .. f)
  if v then return tonumber(v) end
  return 0
end

local checks = {}
local n = tonumber(nxt())
for i = 1, n do local f = nxt(); checks[#checks+1] = {f, tonumber(nxt())} end
local writes = {}
n = tonumber(nxt())
for i = 1, n do local f = nxt(); local v = nxt(); writes[#writes+1] = {f, v, tonumber(nxt())} end
local deletes = {}
n = tonumber(nxt())
for i = 1, n do local f = nxt(); deletes[#deletes+1] = {f, tonumber(nxt())} end

for _, c in ipairs(checks) do if ver(c[1]) ~= c[2] then return {0, c[1]} end end
for _, w in ipairs(writes) do if ver(w[1]) ~= w[3] then return {0, w[1]} end end
for _, d in ipairs(deletes) do if ver(d[1]) ~= d[2] then return {0, d[1]} end end

for _, w in ipairs(writes) do redis.call('HSET', h, w[1], w[2], 'v:' .. w[1], w[3] + 1) end
for _, d in ipairs(deletes) do redis.call('HDEL', h, d[1], 'v:' .. d[1]) end

n = tonumber(nxt())
for i = 1, n do
  local k = KEYS[tonumber(nxt())]; local v = nxt(); local ttl = tonumber(nxt())
  if ttl > 0 then redis.call('SET', k, v, 'PX', ttl) else redis.call('SET', k, v) end
end
n = tonumber(nxt())
for i = 1, n do
  local k = KEYS[tonumber(nxt())]; local ttl = tonumber(nxt())
  redis.call('PEXPIRE', k, ttl)
end
local out = {1}
n = tonumber(nxt())
for i = 1, n do
  local pairs = tonumber(nxt())
  local fv = {}
  for j = 1, pairs * 2 do fv[j] = nxt() end
  out[#out+1] = redis.call('XADD', KEYS[2], '*', unpack(fv))
end
n = tonumber(nxt())
for i = 1, n do
  local k = KEYS[tonumber(nxt())]; local op = nxt(); local m = nxt()
  if op == 'za' then redis.call('ZADD', k, 0, m)
  elseif op == 'zr' then redis.call('ZREM', k, m)
  elseif op == 'sa' then redis.call('SADD', k, m)
  else redis.call('SREM', k, m) end
end
return out
`)

// Commit applies tx: if every object it read is unchanged it writes all of
// it at once and returns the ids of the history entries appended;
// otherwise it writes nothing and returns an error wrapping ErrConflict.
func (s *Store) Commit(ctx context.Context, tx *Tx) ([]string, error) {
	keys := []string{s.requestKey(tx.id), s.historyKey(tx.id)}
	var args []any
	add := func(v ...any) { args = append(args, v...) }

	add(len(tx.checks))
	for _, c := range tx.checks {
		add(c.field, c.version)
	}
	add(len(tx.writes))
	for _, w := range tx.writes {
		doc, err := s.encodeObject(tx.id, w)
		if err != nil {
			return nil, err
		}
		add(w.field, doc, w.version)
	}
	add(len(tx.deletes))
	for _, d := range tx.deletes {
		add(d.field, d.version)
	}
	add(len(tx.results))
	for _, r := range tx.results {
		b, err := s.codec.encodeResult(tx.id, r.workflow, r.name, r.result)
		if err != nil {
			return nil, fmt.Errorf("seal result of %s: %w", r.name, err)
		}
		keys = append(keys, s.resultKey(tx.id, r.workflow, r.name))
		add(len(keys), b, r.ttl.Milliseconds())
	}
	add(len(tx.expires))
	for _, e := range tx.expires {
		keys = append(keys, s.resultKey(tx.id, e.workflow, e.name))
		ttl := e.ttl.Milliseconds()
		if ttl < 1 {
			ttl = 1
		}
		add(len(keys), ttl)
	}
	add(len(tx.events))
	for _, ev := range tx.events {
		fv, err := s.encodeEvent(tx.id, ev)
		if err != nil {
			return nil, err
		}
		add(len(fv) / 2)
		add(fv...)
	}

	adds, rems := s.indexChanges(tx)
	atomicIndex := s.singleNode()
	if atomicIndex {
		// One node holds every key: the script updates the indexes with
		// the objects, all or nothing, in one round trip.
		add(len(adds) + len(rems))
		for _, ops := range []struct {
			ops []indexOp
			add bool
		}{{adds, true}, {rems, false}} {
			for _, op := range ops.ops {
				keys = append(keys, op.key)
				add(len(keys), op.code(ops.add), op.member)
			}
		}
	} else {
		// Index entries for the new state go in first, so a crash leaves
		// the indexes a superset of the truth, never missing a request.
		add(0)
		if err := s.applyIndex(ctx, adds, true); err != nil {
			return nil, err
		}
	}

	res, err := commitScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return nil, fmt.Errorf("commit request %s: %w", tx.id, err)
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("commit request %s: empty reply", tx.id)
	}
	if ok, _ := res[0].(int64); ok != 1 {
		field := ""
		if len(res) > 1 {
			field, _ = res[1].(string)
		}
		return nil, fmt.Errorf("commit request %s (%s): %w", tx.id, field, ErrConflict)
	}
	ids := make([]string, 0, len(res)-1)
	for _, r := range res[1:] {
		if id, ok := r.(string); ok {
			ids = append(ids, id)
		}
	}
	if !atomicIndex {
		if err := s.applyIndex(ctx, rems, false); err != nil {
			return ids, err
		}
	}
	// Written objects are now at the next version with fresh index state,
	// so a caller may keep using them for a further commit.
	for _, w := range tx.writes {
		switch {
		case w.req != nil:
			w.req.Version++
			w.req.indexedStage = w.req.Stage
		case w.it != nil:
			w.it.Version++
			w.it.indexedStatus = w.it.Status
		case w.manual != nil:
			w.manual.Version++
		}
	}
	return ids, nil
}

func (s *Store) encodeObject(id string, w objectWrite) (string, error) {
	switch {
	case w.req != nil:
		doc, err := s.codec.encodeRequest(w.req)
		if err != nil {
			return "", fmt.Errorf("encode request %s: %w", id, err)
		}
		return doc, nil
	case w.it != nil:
		doc, err := s.codec.encodeIntegration(id, w.it)
		if err != nil {
			return "", fmt.Errorf("encode integration %s of request %s: %w", w.it.Name, id, err)
		}
		return doc, nil
	case w.manual != nil:
		doc, err := s.codec.encodeManual(id, w.manual)
		if err != nil {
			return "", fmt.Errorf("encode manual task %s of request %s: %w", w.manual.Name, id, err)
		}
		return doc, nil
	}
	return "", errors.New("empty write")
}

type indexOp struct {
	key, member string
	set         bool
}

// code names the op for commitScript.
func (op indexOp) code(add bool) string {
	switch {
	case op.set && add:
		return "sa"
	case op.set:
		return "sr"
	case add:
		return "za"
	}
	return "zr"
}

// singleNode reports whether every key lives on one Redis node (a single
// node or Sentinel failover client), so one script may touch the request's
// keys and the indexes together. On a Cluster the indexes are in other
// slots and are updated around the commit instead.
func (s *Store) singleNode() bool {
	_, ok := s.rdb.(*redis.Client)
	return ok
}

// indexChanges lists the index entries to add before the commit and to
// remove after it.
func (s *Store) indexChanges(tx *Tx) (adds, rems []indexOp) {
	for _, w := range tx.writes {
		switch {
		case w.req != nil:
			r := w.req
			if w.version == 0 {
				adds = append(adds, indexOp{key: s.indexAll(), member: r.ID}, indexOp{key: s.indexType(string(r.Type)), member: r.ID})
			}
			if r.Stage != r.indexedStage || w.version == 0 {
				adds = append(adds, indexOp{key: s.indexStage(r.Stage), member: r.ID})
				if r.indexedStage != state.StageUnknown && r.indexedStage != r.Stage {
					rems = append(rems, indexOp{key: s.indexStage(r.indexedStage), member: r.ID})
				}
			}
		case w.it != nil:
			i := w.it
			m := statusMember(tx.id, i.Workflow, i.Name)
			if i.Status != i.indexedStatus || w.version == 0 {
				adds = append(adds, indexOp{key: s.indexStatus(i.Status), member: m})
				if i.indexedStatus != state.StatusUnknown && i.indexedStatus != i.Status {
					rems = append(rems, indexOp{key: s.indexStatus(i.indexedStatus), member: m})
				}
			}
		}
	}
	for _, d := range tx.deletes {
		if d.it != nil && d.it.indexedStatus != state.StatusUnknown {
			rems = append(rems, indexOp{key: s.indexStatus(d.it.indexedStatus), member: statusMember(tx.id, d.it.Workflow, d.it.Name)})
		}
	}
	for _, l := range tx.lookups {
		adds = append(adds, indexOp{key: s.lookupKey(l.purpose, s.ring.Lookup(l.purpose, l.value)), member: tx.id, set: true})
	}
	return adds, rems
}

// applyIndex adds or removes index entries. Sorted-set entries all score
// 0: ULID request ids then order them by creation time (ZRANGE BYLEX).
func (s *Store) applyIndex(ctx context.Context, ops []indexOp, add bool) error {
	if len(ops) == 0 {
		return nil
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, op := range ops {
			switch {
			case op.set && add:
				p.SAdd(ctx, op.key, op.member)
			case op.set:
				p.SRem(ctx, op.key, op.member)
			case add:
				p.ZAdd(ctx, op.key, redis.Z{Score: 0, Member: op.member})
			default:
				p.ZRem(ctx, op.key, op.member)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update indexes: %w", err)
	}
	return nil
}
