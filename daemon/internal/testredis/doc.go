// Package testredis starts real redis-server processes for tests: a single
// node ([Start]) or a three-master Redis Cluster ([StartCluster]), each on
// free 127.0.0.1 ports in a temporary directory, without persistence, and
// stopped with t.Cleanup. Tests that need Redis fail when redis-server is
// not installed, and are skipped only under -short (see testprereq).
package testredis
