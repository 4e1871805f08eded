// Package flow limits the calls made to each integration's third party,
// across every daemon sharing one Redis: how many are in flight
// (concurrency) and how often they start (rate).
//
// One Lua script decides an admission atomically, so a call refused for
// one limit never uses up the other: a concurrency slot is a lease (a
// member of a sorted set scored by its deadline), released when the call
// ends and recovered when its holder dies without releasing it (a lease
// is short, DefaultLease, and renewed while the call runs); the rate
// is a GCRA with a burst of one (calls spaced per/requests apart, so never
// more than requests in any window of length per), the algorithm of
// github.com/go-redis/redis_rate. Time comes from Redis (TIME), so daemons
// with skewed clocks share one limit.
//
// A Limiter keeps the slot of a short call for a moment and hands it to
// its next call of the same integration without a round trip (see
// slotPool): Redis still counts the slot, so the limit holds across
// daemons, and a busy daemon pays the scripts once per burst of calls.
//
// Callers never sleep for a slot: Acquire answers at once with how long to
// wait. A caller about to read from Redis anyway can send the admission's
// script in the same pipeline (Prepare, Ask.Queue, Ask.Decide): the
// engine sends it with the read of the job's request, so a rate limit
// costs a job no round trip of its own. Each limit can also hold a gate key shut while no call may start
// (the engine passes its asynq queue's pause key), so queued work waits
// in the queue instead of being fetched and refused.
package flow
