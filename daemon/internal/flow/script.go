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
// The gate is shut only for a long wait: every slot held by a call
// running for stuck ms or more (a slow or hanging third party), or a rate
// spacing calls stuck ms or more apart. asynq's fetcher sleeps about a
// second when it finds no task, so a gate shut for a short wait would
// idle the integration far longer than the wait; a short wait instead
// sends the job back to come again after it.
//
// KEYS: slots (zset holder -> lease deadline), tat (next start allowed by
// the rate), gate.
// ARGV: holder, lease ms, concurrency (0: none), emission ms (0: no rate),
// longest gate ms for a full concurrency limit, stuck ms.
// Returns {1, 0, 0, 0} when admitted, else {0, wait ms, 1 if the rate is
// what is full else 0, 1 if the gate was shut else 0}.
var acquireScript = redis.NewScript(luaPrelude + `
local lease = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local emission = tonumber(ARGV[4])
local gatecap = tonumber(ARGV[5])
local stuck = tonumber(ARGV[6])
local held, waitc, gatec = 0, 0, 0
local function oldest()
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local deadline = tonumber(first[2])
  return now - (deadline - lease), deadline
end
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  held = redis.call('ZCARD', KEYS[1])
  if held >= limit then
    local age, deadline = oldest()
    if age >= stuck then
      waitc = math.max(1, math.min(deadline - now, gatecap))
      gatec = waitc
    else
      waitc = math.max(5, math.min(age, 250))
    end
  end
end
local tat, waitr = now, 0
if emission > 0 then
  local v = tonumber(redis.call('GET', KEYS[2]) or '0')
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
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  if held + 1 >= limit then
    local age, deadline = oldest()
    if age >= stuck then shut(math.max(1, math.min(deadline - now, gatecap))) end
  end
end
if emission > 0 then
  redis.call('SET', KEYS[2], tat + emission, 'PX', emission + 1000)
  if emission >= stuck then shut(emission) end
end
return {1, 0, 0, 0}
`)

// releaseScript frees a slot and reopens the gate unless the rate still
// holds the next call back.
//
// KEYS as acquireScript; ARGV: holder, stuck ms (a shorter wait leaves the
// gate open: asynq's processor sleeps about a second whenever it finds
// every queue empty or paused, so a gate shut for a millisecond stalls
// the whole job server for a second).
var releaseScript = redis.NewScript(luaPrelude + `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
local v = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('PTTL', KEYS[3]) == -1 then return 1 end
if v - now >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[3], 'flow', 'PX', v - now)
else
  redis.call('DEL', KEYS[3])
end
return 1
`)
