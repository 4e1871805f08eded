// Package store keeps privacy requests in Redis (go-redis v9), on a single
// node or a Redis Cluster.
//
// Every key of one request shares the hash tag {<request id>}, so they live
// in one Cluster slot and one Lua script can change them together:
//
//	<prefix>:{<id>}                       hash: the request, its integration states and manual tasks
//	<prefix>:{<id>}:ext                   hash: their documents too long for the first hash, if any
//	<prefix>:{<id>}:pd                    string: the request's personal data, sealed
//	<prefix>:{<id>}:hist                  list: the history, append only
//	<prefix>:{<id>}:res:<workflow>/<name> string: one integration's results, sealed
//	<prefix>:{<id>}:res:<workflow>/<name>:files hash: its uploaded files, in sealed chunks
//	<prefix>:{<id>}:up:<upload>           hash: an upload being received, expiring (uploads.go)
//
// The request hash holds "r" (the request), "x:<name>" and "d:<name>" (an
// integration's state in Extracting and in Pending Delete), "m:<name>" (a
// manual task) and "#<letter>" (how many integrations are in a status).
// Each object is a protobuf document (package storev1) after its version:
// "<version>|<document>". Redis keeps a hash in its compact listpack
// encoding only while every value is at most 64 bytes (its default
// hash-max-listpack-value), so a longer document (a sealed async handle or
// note, an error) moves to the ext hash, the request hash keeping
// "<version>>"; the sealed subject, never that short, has its own key. An
// open request's hash so stays a listpack: a few hundred bytes where a
// hashtable takes thousands.
//
// The history is a list of protobuf entries, an entry's id its position
// from 1, read by range and waited for by polling: a stream would
// pre-allocate 4 KiB per request.
//
// Every change goes through [Store.Commit], a Lua script that checks the
// versions the caller read (compare-and-set) and only then writes the
// objects, results and history entries, all or nothing. So a late result
// from an older attempt, or any result after a stop or a skip, cannot
// overwrite what happened since: its commit conflicts and the caller, on
// re-reading, sees why.
//
// Secondary indexes for listing are sorted sets outside the hash tag, all
// scored 0 and read by lexical range, their entries request ids (ULIDs,
// so in creation order): idx:all, idx:stage:<stage>, idx:type:<type>, and
// idx:istatus:<status> holding a request while its status counter is above
// zero. The lookup index lookup:<purpose> ("email") holds "<keyed
// hash><id>", so one range finds every request of a subject. On a single
// node (or Sentinel failover) the commit script updates the indexes with
// the request, all or nothing, in the same round trip. On a Cluster, where
// they live in other slots, they are updated around the commit: entries
// are added before it and stale ones removed after, so an index is a
// superset of the truth even across a crash. Beside each
// idx:istatus:<status> a Cluster keeps a hash {…}:counts in its slot with
// each request's count, raised before the commit and lowered after, and an
// entry goes only when its count there reaches 0: commits on different
// integrations of one request do not conflict, yet cannot drop the request
// from an index it belongs in. Either way every read checks candidates
// against the request itself. The attention index (attention.go) follows
// the same add-before, remove-after rule on a Cluster.
// The report index (report.go) holds a small entry per request for the
// §7102 request metrics, scored by creation time.
//
// Personal data (the subject, what the subject reported, records, files,
// notes, replies, async handles) is sealed with package seal before it
// reaches Redis; the email lookup index holds keyed hashes only.
package store
