// Package redisguard reads the settings of the Redis server(s) dsrhost
// uses and says which of them can lose requests. Personal data and request
// state live only in Redis: a server that evicts keys when its memory fills,
// or that keeps nothing on disk, loses requests with legal deadlines.
//
// Only maxmemory-policy noeviction is accepted. The volatile-* policies
// evict only keys with a TTL, and dsrhost never sets one on a request's
// state or history, but it does on keys whose loss is still harmful: access
// results kept for results_retention after a request closes (the subject's
// download), the ledger that makes Direct Contact links single-use (an
// evicted mark lets a used link answer again), and asynq's task uniqueness
// locks. With noeviction a full Redis refuses writes, which dsrhost reports
// and retries, instead of dropping data silently.
package redisguard
