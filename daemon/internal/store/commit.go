package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
//	nMoves, (srcKeyIndex, dstKeyIndex)...
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
// nothing. A move renames a staged upload (uploads.go) to its result's
// files hash and keeps it; a missing one returns {0, "upload"} before
// anything is written. Otherwise it returns {1, historyLength, counts...}: the
// history's length after the append and each status counter's new value.
// An empty extValue keeps the document inline, and removes the field from
// the ext hash if the old value was kept there. Every version is read with
// one HMGET.
//
// A status counter ("#<letter>") is how many of the request's
// integrations are in a status. While it is above 0 the request (member)
// is in that status's index (keyIndex; 0 on a Cluster, where Commit
// updates the index around the script, see statusCountScript). Index ops
// are "za"/"zr"/"zs" (ZADD score 0 / ZREM / ZADD with a score); a Cluster
// client passes none, since index keys live in other slots than the
// request's.
var commitScript = redis.NewScript(`
local h, x = KEYS[1], KEYS[3]
local a = 1
local function nxt() local v = ARGV[a]; a = a + 1; return v end
local moves = {}
local n = tonumber(nxt())
for i = 1, n do local src = KEYS[tonumber(nxt())]; moves[i] = {src, KEYS[tonumber(nxt())]} end
for _, m in ipairs(moves) do if redis.call('EXISTS', m[1]) == 0 then return {0, 'upload'} end end

-- Every field checked, written or deleted, with the version it must be
-- at, read in one HMGET.
local fields, want = {}, {}
n = tonumber(nxt())
for i = 1, n do fields[#fields+1] = nxt(); want[#want+1] = tonumber(nxt()) end
local set, xset, inline = {}, {}, {}
n = tonumber(nxt())
for i = 1, n do
  local f = nxt(); local v = tonumber(nxt()); local doc = nxt(); local xdoc = nxt()
  fields[#fields+1] = f; want[#want+1] = v
  set[#set+1] = f; set[#set+1] = doc
  if xdoc == '' then inline[#fields] = true else xset[#xset+1] = f; xset[#xset+1] = xdoc end
end
local dels, dfirst = {}, #fields
n = tonumber(nxt())
for i = 1, n do local f = nxt(); fields[#fields+1] = f; want[#want+1] = tonumber(nxt()); dels[i] = f end

-- A value is "<version>|<doc>", or "<version>>" with the document in the
-- ext hash, whose field goes when the object is deleted or written inline.
local xdel = {}
if #fields > 0 then
  local cur = redis.call('HMGET', h, unpack(fields))
  for i, f in ipairs(fields) do
    local ver, sep = 0, nil
    if cur[i] then
      local d
      d, sep = string.match(cur[i], '^(%d+)([|>])')
      ver = tonumber(d)
    end
    if ver ~= want[i] then return {0, f} end
    if sep == '>' and (i > dfirst or inline[i]) then xdel[#xdel+1] = f end
  end
end
if #set > 0 then redis.call('HSET', h, unpack(set)) end
if #xset > 0 then redis.call('HSET', x, unpack(xset)) end
if #xdel > 0 then redis.call('HDEL', x, unpack(xdel)) end
if #dels > 0 then redis.call('HDEL', h, unpack(dels)) end

n = tonumber(nxt())
for i = 1, n do
  local k = KEYS[tonumber(nxt())]; local v = nxt(); local ttl = tonumber(nxt())
  if ttl > 0 then redis.call('SET', k, v, 'PX', ttl) else redis.call('SET', k, v) end
end
for _, m in ipairs(moves) do
  redis.call('RENAME', m[1], m[2])
  redis.call('PERSIST', m[2])
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
// On a Cluster, once the objects are written, failing to remove the index
// entries they no longer match is not an error: the commit stands (the
// written objects move to their next version) and the indexes are left a
// superset of the truth, which reads check.
func (s *Store) Commit(ctx context.Context, tx *Tx) ([]string, error) {
	keys := make([]string, 3, 8)
	keys[0], keys[1], keys[2] = s.requestKey(tx.id), s.historyKey(tx.id), s.extKey(tx.id)
	args := make([]any, 0, 16+4*len(tx.writes)+len(tx.events))
	add := func(v ...any) { args = append(args, v...) }
	moves := tx.moves()
	add(len(moves))
	for _, m := range moves {
		keys = append(keys, s.uploadKey(tx.id, m.upload.name), s.filesKey(tx.id, m.workflow, m.name))
		add(len(keys)-1, len(keys))
	}
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
	// A result's uploaded files (its files hash) are purged with it.
	add(2 * len(tx.expires))
	for _, e := range tx.expires {
		ttl := e.ttl.Milliseconds()
		if ttl < 1 {
			ttl = 1
		}
		keys = append(keys, s.resultKey(tx.id, e.workflow, e.name))
		add(len(keys), ttl)
		keys = append(keys, s.filesKey(tx.id, e.workflow, e.name))
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
	report, unreport := s.reportChanges(tx)
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
	var raise, lower []statusDelta
	if atomicIndex {
		// One node holds every key: the script updates the indexes with
		// the objects, all or nothing, in one round trip.
		add(len(adds) + len(rems) + len(attend) + len(unattend) + len(report) + len(unreport))
		for _, ops := range []struct {
			ops  []indexOp
			code string
		}{{adds, "za"}, {rems, "zr"}, {attend, "zs"}, {unattend, "zr"}, {report, "zs"}, {unreport, "zr"}} {
			for _, op := range ops.ops {
				keys = append(keys, op.key)
				add(len(keys), ops.code, op.member)
				if ops.code == "zs" {
					add(strconv.FormatFloat(op.score, 'f', -1, 64))
				}
			}
		}
	} else {
		// Index entries for the new state go in first and stale ones come
		// out after, so a crash leaves the indexes a superset of the
		// truth, never missing a request. A status index follows its own
		// copy of the counters (statusCountScript): raised before the
		// script, lowered after it.
		add(0)
		for _, c := range counts {
			if c.delta > 0 {
				raise = append(raise, c)
			} else {
				lower = append(lower, c)
			}
		}
		if tx.createsRequest() {
			// A new request's report entry goes in first too (reads skip
			// one whose request does not exist); a close's goes in after.
			adds, report = append(adds, report...), nil
		}
		if err := s.applyIndex(ctx, tx.id, append(adds, attend...), nil, raise); err != nil {
			return nil, err
		}
	}

	res, err := commitScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		// The commit may have landed: the raised counts stay.
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
		if !atomicIndex {
			// Nothing was written: take back the counts raised for it. If
			// that fails they stay raised, a superset.
			_ = s.applyIndex(context.WithoutCancel(ctx), tx.id, nil, nil, negate(raise))
		}
		if field == "upload" {
			return nil, fmt.Errorf("commit request %s: %w", tx.id, ErrUploadGone)
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
		// The commit landed whatever happens here: if the stale entries
		// cannot be removed (even once the caller gave up waiting), the
		// indexes stay a superset of the truth, which every read checks
		// against the request. So that is no error.
		_ = s.applyIndex(context.WithoutCancel(ctx), tx.id, nil, append(rems, unattend...), lower)
		// A close's report entry goes in only once the request is closed;
		// one lost here is repaired by the next report (report.go).
		_ = s.applyIndex(context.WithoutCancel(ctx), tx.id, report, unreport, nil)
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

// applyIndex adds and removes index entries and moves status index counts
// (statusCountScript), in one round trip per node. Entries score 0
// (attention entries aside): ULID request ids then order them by creation
// time (ZRANGE BYLEX).
func (s *Store) applyIndex(ctx context.Context, id string, adds, rems []indexOp, counts []statusDelta) error {
	if len(adds)+len(rems)+len(counts) == 0 {
		return nil
	}
	moves := make([]*redis.Cmd, len(counts))
	cmds, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, op := range adds {
			p.ZAdd(ctx, op.key, redis.Z{Score: op.score, Member: op.member})
		}
		for _, op := range rems {
			p.ZRem(ctx, op.key, op.member)
		}
		for i, c := range counts {
			moves[i] = statusCountScript.EvalSha(ctx, p, s.statusCountKeys(c.status), id, c.delta)
		}
		return nil
	})
	if err != nil {
		err = s.retryUnloaded(ctx, id, cmds, err, counts, moves)
	}
	if err != nil {
		return fmt.Errorf("update indexes: %w", err)
	}
	return nil
}

// retryUnloaded sends statusCountScript whole to the nodes that did not
// know it yet (NOSCRIPT: they ran nothing), when that was the only reason
// the pipeline failed; otherwise it returns the pipeline's error.
func (s *Store) retryUnloaded(ctx context.Context, id string, cmds []redis.Cmder, err error, counts []statusDelta, moves []*redis.Cmd) error {
	unloaded := func(e error) bool { return redis.HasErrorPrefix(e, "NOSCRIPT") }
	retry := 0
	for _, cmd := range cmds {
		switch e := cmd.Err(); {
		case unloaded(e):
			retry++
		case e != nil:
			return e
		}
	}
	if retry == 0 {
		return err
	}
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range counts {
			if unloaded(moves[i].Err()) {
				statusCountScript.Eval(ctx, p, s.statusCountKeys(c.status), id, c.delta)
			}
		}
		return nil
	})
	return err
}

// statusCountScript keeps a status index on a Cluster, where it lives in
// another slot than the requests' counters and no script can change both.
// KEYS[1] is the index, KEYS[2] a hash in the same slot holding, for each
// request in the index, its own count of the request's integrations in
// the status; ARGV is (request id, delta). The request stays in the index
// while that count is above 0, and the count is changed with the index,
// atomically. Commit raises it before the request's counter rises and
// lowers it after the counter falls, so at every moment it is at least the
// counter: the index never misses a request with an integration in the
// status, whichever way commits on different integrations of one request
// interleave. (Removing the entry whenever a commit's own script saw the
// counter reach 0 would not do: another commit may have added the entry
// meanwhile and raise the counter just after.) A count left too high, by
// a commit whose outcome is unknown or a crash, keeps an entry that reads
// skip: a superset.
//
// An entry without a count (written by a single-node store, or before
// counts were kept) stands for an unknown number of integrations: it is
// left as it is, forever a candidate that reads check. Returns the new
// count, or -1 for such an entry.
var statusCountScript = redis.NewScript(`
local m, d = ARGV[1], tonumber(ARGV[2])
local c = redis.call('HGET', KEYS[2], m)
if not c then
  if redis.call('ZSCORE', KEYS[1], m) then return -1 end
  c = 0
end
c = tonumber(c) + d
if c > 0 then
  redis.call('ZADD', KEYS[1], 0, m)
  redis.call('HSET', KEYS[2], m, c)
else
  redis.call('ZREM', KEYS[1], m)
  redis.call('HDEL', KEYS[2], m)
end
return c
`)

// statusCountKeys are statusCountScript's keys for status st.
func (s *Store) statusCountKeys(st state.Status) []string {
	return []string{s.indexStatus(st), s.statusCountsKey(st)}
}

// statusCountsKey names the hash of a status index's counts (see
// statusCountScript): the index's name inside a hash tag, so both share a
// Cluster slot, or after the index's own tag when the prefix holds one.
// A prefix with a "}" outside a hash tag cannot be matched and is not
// supported on a Cluster (the scripts fail with CROSSSLOT).
func (s *Store) statusCountsKey(st state.Status) string {
	index := s.indexStatus(st)
	if open := strings.IndexByte(index, '{'); open >= 0 {
		if end := strings.IndexByte(index[open+1:], '}'); end > 0 {
			return index + ":counts"
		}
	}
	return "{" + index + "}:counts"
}

// negate is deltas undone.
func negate(deltas []statusDelta) []statusDelta {
	out := make([]statusDelta, len(deltas))
	for i, d := range deltas {
		out[i] = statusDelta{d.status, -d.delta}
	}
	return out
}
