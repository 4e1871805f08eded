package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// commitScript applies a Tx atomically. KEYS[1] is the request hash,
// KEYS[2] its history list, KEYS[3] its ext hash (documents too long for
// the request hash, see place), KEYS[4..] string keys (the request's
// personal data, results), then (on a single node only) index keys. ARGV
// is flat so that sealed (binary) values pass untouched:
//
//	nChecks, (field, version)...
//	nWrites, (field, version, value, extValue)...
//	nDeletes, (field, version)...
//	nStrings, (keyIndex, value, ttlMillis)...
//	nExpires, (keyIndex, ttlMillis)...
//	nEvents, value...
//	member, nCounts, (field, delta, keyIndex)...
//	nIndex, (keyIndex, op, member)...
//
// A request hash value starts with its version (see place); a missing
// field is at version 0. Every version is checked before anything is
// written; on a mismatch the script returns {0, field} and writes
// nothing. Otherwise it returns {1, historyLength, counts...}: the
// history's length after the append and each status counter's new value.
// An empty extValue removes the field from the ext hash.
//
// A status counter ("#<letter>") is how many of the request's
// integrations are in a status. While it is above 0 the request (member)
// is in that status's index (keyIndex; 0 on a Cluster, where Commit
// updates the index around the script). Index ops are "za"/"zr" (ZADD
// score 0 / ZREM); a Cluster client passes none, since index keys live in
// other slots than the request's.
var commitScript = redis.NewScript(`
local h, x = KEYS[1], KEYS[3]
local a = 1
local function nxt() local v = ARGV[a]; a = a + 1; return v end
local function ver(f)
  local v = redis.call('HGET', h, f)
  if not v then return 0 end
  return tonumber(string.match(v, '^%d+'))
end

local checks = {}
local n = tonumber(nxt())
for i = 1, n do local f = nxt(); checks[i] = {f, tonumber(nxt())} end
local writes = {}
n = tonumber(nxt())
for i = 1, n do local f = nxt(); local v = tonumber(nxt()); local doc = nxt(); writes[i] = {f, v, doc, nxt()} end
local deletes = {}
n = tonumber(nxt())
for i = 1, n do local f = nxt(); deletes[i] = {f, tonumber(nxt())} end

for _, c in ipairs(checks) do if ver(c[1]) ~= c[2] then return {0, c[1]} end end
for _, w in ipairs(writes) do if ver(w[1]) ~= w[2] then return {0, w[1]} end end
for _, d in ipairs(deletes) do if ver(d[1]) ~= d[2] then return {0, d[1]} end end

local set, xset, xdel = {}, {}, {}
for _, w in ipairs(writes) do
  set[#set+1] = w[1]; set[#set+1] = w[3]
  if w[4] == '' then xdel[#xdel+1] = w[1] else xset[#xset+1] = w[1]; xset[#xset+1] = w[4] end
end
for _, d in ipairs(deletes) do xdel[#xdel+1] = d[1] end
if #set > 0 then redis.call('HSET', h, unpack(set)) end
if #xset > 0 then redis.call('HSET', x, unpack(xset)) end
if #xdel > 0 then redis.call('HDEL', x, unpack(xdel)) end
if #deletes > 0 then
  local fs = {}
  for i, d in ipairs(deletes) do fs[i] = d[1] end
  redis.call('HDEL', h, unpack(fs))
end

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
local out = {1, 0}
n = tonumber(nxt())
if n > 0 then
  local evs = {}
  for i = 1, n do evs[i] = nxt() end
  out[2] = redis.call('RPUSH', KEYS[2], unpack(evs))
end
local member = nxt()
n = tonumber(nxt())
for i = 1, n do
  local f = nxt(); local d = tonumber(nxt()); local ki = tonumber(nxt())
  local c = redis.call('HINCRBY', h, f, d)
  if c <= 0 then
    redis.call('HDEL', h, f)
    if ki > 0 then redis.call('ZREM', KEYS[ki], member) end
  elseif ki > 0 and d > 0 then
    redis.call('ZADD', KEYS[ki], 0, member)
  end
  out[#out+1] = c
end
n = tonumber(nxt())
for i = 1, n do
  local k = KEYS[tonumber(nxt())]; local op = nxt(); local m = nxt()
  if op == 'za' then redis.call('ZADD', k, 0, m)
  elseif op == 'zs' then redis.call('ZADD', k, nxt(), m)
  else redis.call('ZREM', k, m) end
end
return out
`)

// Commit applies tx: if every object it read is unchanged it writes all of
// it at once and returns the ids of the history entries appended;
// otherwise it writes nothing and returns an error wrapping ErrConflict.
func (s *Store) Commit(ctx context.Context, tx *Tx) ([]string, error) {
	keys := make([]string, 3, 8)
	keys[0], keys[1], keys[2] = s.requestKey(tx.id), s.historyKey(tx.id), s.extKey(tx.id)
	args := make([]any, 0, 16+4*len(tx.writes)+len(tx.events))
	add := func(v ...any) { args = append(args, v...) }
	var strs []stringWrite

	add(len(tx.checks))
	for _, c := range tx.checks {
		add(c.field, c.version)
	}
	add(len(tx.writes))
	for i := range tx.writes {
		w := &tx.writes[i]
		doc, personal, err := s.encodeObject(tx.id, w)
		if err != nil {
			return nil, err
		}
		main, ext := place(w.version+1, doc)
		add(w.field, w.version, main, ext)
		if personal != nil {
			strs = append(strs, stringWrite{key: s.personalKey(tx.id), value: personal})
		}
	}
	add(len(tx.deletes))
	for _, d := range tx.deletes {
		add(d.field, d.version)
	}
	for _, r := range tx.results {
		b, err := s.codec.encodeResult(tx.id, r.workflow, r.name, r.result)
		if err != nil {
			return nil, fmt.Errorf("seal result of %s: %w", r.name, err)
		}
		strs = append(strs, stringWrite{key: s.resultKey(tx.id, r.workflow, r.name), value: b, ttl: r.ttl})
	}
	add(len(strs))
	for _, w := range strs {
		keys = append(keys, w.key)
		add(len(keys), w.value, w.ttl.Milliseconds())
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
		b, err := s.encodeEvent(tx.id, ev)
		if err != nil {
			return nil, err
		}
		add(b)
	}

	adds, rems := s.indexChanges(tx)
	attend, unattend := s.attentionChanges(tx)
	counts := statusDeltas(tx)
	atomicIndex := s.singleNode()
	add(tx.id, len(counts))
	for _, c := range counts {
		ki := 0
		if atomicIndex {
			keys = append(keys, s.indexStatus(c.status))
			ki = len(keys)
		}
		add(countField(c.status), c.delta, ki)
	}
	if atomicIndex {
		// One node holds every key: the script updates the indexes with
		// the objects, all or nothing, in one round trip.
		add(len(adds) + len(rems) + len(attend) + len(unattend))
		for _, ops := range []struct {
			ops  []indexOp
			code string
		}{{adds, "za"}, {rems, "zr"}, {attend, "zs"}, {unattend, "zr"}} {
			for _, op := range ops.ops {
				keys = append(keys, op.key)
				add(len(keys), ops.code, op.member)
				if ops.code == "zs" {
					add(strconv.FormatFloat(op.score, 'f', -1, 64))
				}
			}
		}
	} else {
		// Index entries for the new state go in first, so a crash leaves
		// the indexes a superset of the truth, never missing a request.
		add(0)
		adds = append(adds, attend...)
		rems = append(rems, unattend...)
		for _, c := range counts {
			if c.delta > 0 {
				adds = append(adds, indexOp{key: s.indexStatus(c.status), member: tx.id})
			}
		}
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
	if len(res) != 2+len(counts) {
		return nil, fmt.Errorf("commit request %s: reply of %d values", tx.id, len(res))
	}
	histLen, _ := res[1].(int64)
	ids := make([]string, len(tx.events))
	for i := range ids {
		ids[i] = strconv.FormatInt(histLen-int64(len(ids)-i-1), 10)
	}
	if !atomicIndex {
		for i, c := range counts {
			if n, _ := res[2+i].(int64); n <= 0 {
				rems = append(rems, indexOp{key: s.indexStatus(c.status), member: tx.id})
			}
		}
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
			w.req.storedPersonal = w.personal
		case w.it != nil:
			w.it.Version++
			w.it.indexedStatus = w.it.Status
		case w.manual != nil:
			w.manual.Version++
		}
	}
	return ids, nil
}

// stringWrite is a string key the commit sets: the request's personal
// data or a result.
type stringWrite struct {
	key   string
	value []byte
	ttl   time.Duration
}

// encodeObject returns w's document, and for a request its sealed
// personal data when it must be written (see encodeRequest).
func (s *Store) encodeObject(id string, w *objectWrite) (doc, personal []byte, err error) {
	switch {
	case w.req != nil:
		doc, personal, plain, err := s.codec.encodeRequest(w.req)
		if err != nil {
			return nil, nil, fmt.Errorf("encode request %s: %w", id, err)
		}
		w.personal = plain
		return doc, personal, nil
	case w.it != nil:
		doc, err := s.codec.encodeIntegration(id, w.it)
		if err != nil {
			return nil, nil, fmt.Errorf("encode integration %s of request %s: %w", w.it.Name, id, err)
		}
		return doc, nil, nil
	case w.manual != nil:
		doc, err := s.codec.encodeManual(id, w.manual)
		if err != nil {
			return nil, nil, fmt.Errorf("encode manual task %s of request %s: %w", w.manual.Name, id, err)
		}
		return doc, nil, nil
	}
	return nil, nil, errors.New("empty write")
}

type indexOp struct {
	key, member string
	score       float64
}

// singleNode reports whether every key lives on one Redis node (a single
// node or Sentinel failover client), so one script may touch the request's
// keys and the indexes together. On a Cluster the indexes are in other
// slots and are updated around the commit instead.
func (s *Store) singleNode() bool {
	_, ok := s.rdb.(*redis.Client)
	return ok
}

// statusDelta is the change a commit makes to how many of the request's
// integrations are in a status.
type statusDelta struct {
	status state.Status
	delta  int
}

// statusDeltas counts the integrations tx moves into and out of each
// status. The old status of a written or deleted integration is the one
// it was read at: the commit's version check makes that exact. An
// integration written twice in one Tx moves once, from what was read to
// what was written last.
func statusDeltas(tx *Tx) []statusDelta {
	type move struct {
		field    string
		from, to state.Status
	}
	var moves []move
	record := func(field string, from, to state.Status) {
		for i := range moves {
			if moves[i].field == field {
				moves[i].to = to
				return
			}
		}
		moves = append(moves, move{field, from, to})
	}
	for _, w := range tx.writes {
		if w.it != nil {
			from := w.it.indexedStatus
			if w.version == 0 {
				from = state.StatusUnknown
			}
			record(w.field, from, w.it.Status)
		}
	}
	for _, del := range tx.deletes {
		if del.it != nil {
			record(del.field, del.it.indexedStatus, state.StatusUnknown)
		}
	}
	var d [state.Complete + 1]int
	known := func(st state.Status) bool { return st > state.StatusUnknown && st <= state.Complete }
	for _, m := range moves {
		if m.from == m.to {
			continue
		}
		if known(m.from) {
			d[m.from]--
		}
		if known(m.to) {
			d[m.to]++
		}
	}
	var out []statusDelta
	for st, n := range d {
		if n != 0 {
			out = append(out, statusDelta{state.Status(st), n})
		}
	}
	return out
}

// indexChanges lists the request index entries (all, type, stage) to add
// before the commit and to remove after it. Status indexes follow the
// status counters (statusDeltas); lookups are only ever added.
func (s *Store) indexChanges(tx *Tx) (adds, rems []indexOp) {
	for _, w := range tx.writes {
		r := w.req
		if r == nil {
			continue
		}
		if w.version == 0 {
			adds = append(adds, indexOp{key: s.indexAll(), member: r.ID}, indexOp{key: s.indexType(string(r.Type)), member: r.ID})
		}
		if r.Stage != r.indexedStage || w.version == 0 {
			adds = append(adds, indexOp{key: s.indexStage(r.Stage), member: r.ID})
			if r.indexedStage != state.StageUnknown && r.indexedStage != r.Stage {
				rems = append(rems, indexOp{key: s.indexStage(r.indexedStage), member: r.ID})
			}
		}
	}
	for _, l := range tx.lookups {
		adds = append(adds, indexOp{key: s.lookupKey(l.purpose), member: lookupMember(s.ring.Lookup(l.purpose, l.value), tx.id)})
	}
	return adds, rems
}

// applyIndex adds or removes index entries. Entries all score 0: ULID
// request ids then order them by creation time (ZRANGE BYLEX).
func (s *Store) applyIndex(ctx context.Context, ops []indexOp, add bool) error {
	if len(ops) == 0 {
		return nil
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, op := range ops {
			if add {
				p.ZAdd(ctx, op.key, redis.Z{Score: op.score, Member: op.member})
			} else {
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
