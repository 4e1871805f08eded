// Package testredis starts real redis-server processes for tests: a single
// node ([Start]) or a three-master Redis Cluster ([StartCluster]), each on
// free 127.0.0.1 ports in a temporary directory, without persistence, and
// stopped with t.Cleanup. Tests that need Redis are skipped when
// redis-server is not installed (set DSRHOST_REQUIRE_REDIS=1 in CI to make
// that a failure instead).
package testredis
