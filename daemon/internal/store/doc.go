// Package store keeps privacy requests in Redis (go-redis v9), on a single
// node or a Redis Cluster.
//
// Every key of one request shares the hash tag {<request id>}, so they live
// in one Cluster slot and one Lua script can change them together:
//
//	<prefix>:{<id>}                     hash: the request, its integration states and manual tasks
//	<prefix>:{<id>}:hist                stream: the history, append only
//	<prefix>:{<id>}:res:<workflow>/<name> string: one integration's results, sealed
//
// Each object in the request hash is a JSON document beside a version
// field. Every change goes through [Store.Commit], a Lua script that checks
// the versions the caller read (compare-and-set) and only then writes the
// objects, results and history entries, all or nothing. So a late result
// from an older attempt, or any result after a stop or a skip, cannot
// overwrite what happened since: its commit conflicts and the caller, on
// re-reading, sees why.
//
// Secondary indexes for listing (by stage, type, integration status and
// subject email) are sorted sets outside the hash tag. On a single node
// (or Sentinel failover) the commit script updates them with the request,
// all or nothing, in the same round trip. On a Cluster, where they live in
// other slots, they are updated around the commit: entries are added
// before it and stale ones removed after, so an index is a superset of the
// truth even across a crash. Either way every read checks candidates
// against the request itself.
//
// Personal data (the subject, what the subject reported, records, files,
// notes, replies, async handles) is sealed with package seal before it
// reaches Redis; the email lookup index holds keyed hashes only.
package store
