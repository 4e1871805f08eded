package redisguard

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// unavailablePrefixes are Redis error replies that mean "not now": the
// server is loading its data, a Cluster or Sentinel master is missing, or a
// read-only replica took a write during a failover.
var unavailablePrefixes = []string{"LOADING", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "READONLY", "BUSY"}

// IsUnavailable reports whether err means Redis cannot be reached or cannot
// answer for now (connection refused or reset, a timeout, an exhausted
// pool, a server still loading), as opposed to a bug or bad data. The admin
// API answers such errors as unavailable, which clients retry, rather than
// internal.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var nerr net.Error
	var operr *net.OpError
	switch {
	case errors.As(err, &operr), errors.As(err, &nerr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, redis.ErrPoolTimeout), errors.Is(err, redis.ErrPoolExhausted):
		return true
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		msg := rerr.Error()
		for _, p := range unavailablePrefixes {
			if strings.HasPrefix(msg, p) {
				return true
			}
		}
	}
	return false
}
