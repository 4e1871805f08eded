package flow

import "github.com/redis/go-redis/v9"

// Shared Lua. Times are microseconds from Redis's clock (now), so a fast
// rate (a million calls a second spaces them 1 µs apart) keeps its
// meaning; int formats them for Redis commands without Lua's %.14g
// rounding; shut(us) keeps the gate shut at least us from now (a gate
// with no expiry, set by someone else, is left alone).
//
// KEYS of every script: slots (zset holder -> lease deadline), starts
// (zset holder -> when its call started), tat (next start allowed by the
// rate), gate.
const luaPrelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function int(x) return string.format('%d', x) end
local function shut(us)
  if us <= 0 then return end
  local ms = math.ceil(us / 1000)
  local cur = redis.call('PTTL', KEYS[4])
  if cur == -1 or cur >= ms then return end
  redis.call('SET', KEYS[4], 'flow', 'PX', ms)
end
local function keep(lease)
  local ms = math.ceil(lease * 2 / 1000)
  redis.call('PEXPIRE', KEYS[1], ms)
  redis.call('PEXPIRE', KEYS[2], ms)
end
`

// acquireScript admits one call or says how long to wait.
//
// The gate is shut only for a long wait: every slot held by a call
// running for stuck µs or more (a slow or hanging third party), or a rate
// spacing calls stuck µs or more apart. asynq's processor sleeps about a
// second whenever a fetch finds every queue empty or paused, so a gate
// shut for a short wait would idle the whole job server far longer than
// the wait; a short wait instead sends the job back to come again after
// it.
//
// ARGV: holder, lease µs, concurrency (0: none), emission µs (0: no
// rate), longest gate µs for a full concurrency limit, stuck µs.
// Returns {1, 0, 0, 0} when admitted, else {0, wait µs, 1 if the rate is
// what is full else 0, 1 if the gate was shut else 0}.
var acquireScript = redis.NewScript(luaPrelude + `
local lease = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local emission = tonumber(ARGV[4])
local gatecap = tonumber(ARGV[5])
local stuck = tonumber(ARGV[6])
local waitc, gatec = 0, 0
local function age(rank)
  local s = redis.call('ZRANGE', KEYS[2], rank, rank, 'WITHSCORES')
  if #s == 0 then return 0 end
  return now - tonumber(s[2])
end
if limit > 0 then
  local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
  if #dead > 0 then
    redis.call('ZREM', KEYS[1], unpack(dead))
    redis.call('ZREM', KEYS[2], unpack(dead))
  end
  if redis.call('ZCARD', KEYS[1]) >= limit then
    if age(-1) >= stuck then
      local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
      waitc = math.max(1000, math.min(tonumber(first[2]) - now, gatecap))
      gatec = waitc
    else
      waitc = math.max(5000, math.min(age(0), 250000))
    end
  end
end
local tat, waitr = now, 0
if emission > 0 then
  local v = tonumber(redis.call('GET', KEYS[3]) or '0')
  if v > now then tat = v end
  waitr = tat - now
end
if waitc > 0 or waitr > 0 then
  local gate = gatec
  if waitr >= stuck then gate = math.max(gate, waitr) end
  shut(gate)
  local rate, gated = 0, 0
  if waitr >= waitc then rate = 1 end
  if gate > 0 then gated = 1 end
  return {0, math.max(waitc, waitr), rate, gated}
end
if limit > 0 then
  redis.call('ZADD', KEYS[1], int(now + lease), ARGV[1])
  redis.call('ZADD', KEYS[2], int(now), ARGV[1])
  keep(lease)
end
if emission > 0 then
  redis.call('SET', KEYS[3], int(tat + emission), 'PX', math.ceil(emission / 1000) + 1000)
  if emission >= stuck then shut(emission) end
end
return {1, 0, 0, 0}
`)

// renewScript extends a slot's lease while its call runs: a holder that
// dies stops renewing, and its slot is free once the lease ends.
//
// ARGV: holder, lease µs. Returns 0 when the slot was already gone.
var renewScript = redis.NewScript(luaPrelude + `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', int(now + lease), ARGV[1])
keep(lease)
return 1
`)

// releaseScript frees a slot and reopens the gate unless the rate still
// holds the next call back for a long wait.
//
// ARGV: holder, stuck µs (a shorter wait leaves the gate open: a gate
// shut for a millisecond stalls the whole job server for a second, see
// acquireScript).
var releaseScript = redis.NewScript(luaPrelude + `
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
local pttl = redis.call('PTTL', KEYS[4])
if pttl == -1 or pttl == -2 then return 1 end
local v = tonumber(redis.call('GET', KEYS[3]) or '0')
if v - now >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[4], 'flow', 'PX', math.ceil((v - now) / 1000))
else
  redis.call('DEL', KEYS[4])
end
return 1
`)
