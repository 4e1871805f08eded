package flow

import "github.com/redis/go-redis/v9"

// Shared Lua: now in milliseconds from Redis's clock, and shut(ms), which
// keeps the gate shut at least ms from now (a gate with no expiry, set by
// someone else, is left alone).
const luaPrelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function shut(ms)
  if ms <= 0 then return end
  local cur = redis.call('PTTL', KEYS[3])
  if cur == -1 or cur >= ms then return end
  redis.call('SET', KEYS[3], 'flow', 'PX', ms)
end
`

// acquireScript admits one call or says how long to wait.
//
// KEYS: slots (zset holder -> lease deadline), tat (next start allowed by
// the rate), gate.
// ARGV: holder, lease ms, concurrency (0: none), emission ms (0: no rate),
// longest gate ms for a full concurrency limit.
// Returns {1, 0, 0} when admitted, else {0, wait ms, 1 if the rate is
// what is full else 0}.
var acquireScript = redis.NewScript(luaPrelude + `
local lease = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local emission = tonumber(ARGV[4])
local gatecap = tonumber(ARGV[5])
local held, waitc = 0, 0
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  held = redis.call('ZCARD', KEYS[1])
  if held >= limit then
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    waitc = math.max(1, math.min(tonumber(first[2]) - now, gatecap))
  end
end
local tat, waitr = now, 0
if emission > 0 then
  local v = tonumber(redis.call('GET', KEYS[2]) or '0')
  if v > now then tat = v end
  waitr = tat - now
end
if waitc > 0 or waitr > 0 then
  local wait = math.max(waitc, waitr)
  shut(wait)
  local rate = 0
  if waitr >= waitc then rate = 1 end
  return {0, wait, rate}
end
if limit > 0 then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  if held + 1 >= limit then
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    shut(math.max(1, math.min(tonumber(first[2]) - now, gatecap)))
  end
end
if emission > 0 then
  redis.call('SET', KEYS[2], tat + emission, 'PX', emission + 1000)
  shut(emission)
end
return {1, 0, 0}
`)

// releaseScript frees a slot and reopens the gate unless the rate still
// holds the next call back.
//
// KEYS as acquireScript; ARGV: holder.
var releaseScript = redis.NewScript(luaPrelude + `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
local v = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('PTTL', KEYS[3]) == -1 then return 1 end
if v > now then
  redis.call('SET', KEYS[3], 'flow', 'PX', v - now)
else
  redis.call('DEL', KEYS[3])
end
return 1
`)
