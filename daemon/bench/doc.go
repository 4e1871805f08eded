// Package bench measures dsrhost against its anchors in one run, for
// `make bench`: each figure beside the same figure of the thing dsrhost is
// built on (raw asynq, a bare go-plugin call, the idle daemon...), taken on
// the same machine in the same run, because absolute numbers on small
// shared machines vary from run to run while ratios hold.
//
// BenchmarkDSRHost starts its own redis-server on a free loopback port,
// builds the daemon and plugin binaries, runs one sub-benchmark per goal and
// prints one table:
//
//  1. throughput: integration jobs per second through the daemon's engine
//     and a real connector plugin, against the floor: asynq tasks each
//     making one bare go-plugin call (raw asynq no-op jobs in its note),
//     and its ceiling: the floor's tasks each also making the one store
//     commit of a finished job, with nothing read and no engine;
//  2. plugin call overhead: one connector call through the plugin host,
//     against a bare go-plugin gRPC echo call;
//  3. scale: with 100,000 open requests of 3 integrations each, the
//     daemon's RSS, ListRequests page latency and Redis bytes per
//     integration;
//  4. idle cost: the daemon's CPU with 1,000,000 scheduled polls in Redis;
//  5. start: launching the daemon with three plugins until its health
//     answers SERVING.
//
// Speed goals live here and never in tests: the table says PASS or MISS,
// and the benchmark fails only when something does not work.
//
// One section alone:
//
//	go test -run '^$' -bench 'DSRHost/throughput' -benchtime 1x ./daemon/bench/
//
// DSRHOST_BENCH_CPUPROFILE=/tmp/run writes a CPU profile of each run of
// row 1 (/tmp/run0, /tmp/run.floor0, ...) and Redis's command counts over
// it (/tmp/run0.redis, ...).
//
// The package sits under daemon/ because it drives the daemon's internal
// packages (agent, engine, plugin host, testredis) in-process as well as
// the built binaries.
package bench
