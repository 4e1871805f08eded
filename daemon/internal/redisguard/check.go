package redisguard

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Severity says whether a Finding stops the daemon.
type Severity int

const (
	// Warning is logged loudly; the daemon runs.
	Warning Severity = iota
	// Fatal refuses the start (or the reload).
	Fatal
)

// Finding is one setting of one server that can lose requests, or one
// setting that could not be read.
type Finding struct {
	Severity Severity
	// Addr is the server's host:port.
	Addr string
	// Setting is the redis.conf directive concerned, e.g. "maxmemory-policy".
	Setting string
	// Message says what is wrong and how to fix it, for the log and the
	// operator; it never holds a password.
	Message string
}

func (f Finding) String() string { return f.Addr + ": " + f.Message }

// Error is the Fatal findings as one error.
type Error struct{ Findings []Finding }

func (e *Error) Error() string {
	parts := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		parts[i] = f.String()
	}
	return "redis can lose requests: " + strings.Join(parts, "; ")
}

// Check reads the settings of every server rdb writes to: the one server,
// Sentinel's current master, or each Cluster master. It returns what it
// found, and an *Error holding the Fatal findings when there are any. A
// server it cannot reach is an error of its own.
func Check(ctx context.Context, rdb redis.UniversalClient) ([]Finding, error) {
	var findings []Finding
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		var mu sync.Mutex // ForEachMaster visits the masters concurrently
		err := c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			f, err := checkNode(ctx, node, node.Options().Addr)
			mu.Lock()
			findings = append(findings, f...)
			mu.Unlock()
			return err
		})
		if err != nil {
			return findings, err
		}
	case *redis.Client:
		f, err := checkNode(ctx, c, c.Options().Addr)
		findings = f
		if err != nil {
			return findings, err
		}
	default:
		f, err := checkNode(ctx, rdb, "redis")
		findings = f
		if err != nil {
			return findings, err
		}
	}
	var fatal []Finding
	for _, f := range findings {
		if f.Severity == Fatal {
			fatal = append(fatal, f)
		}
	}
	if len(fatal) > 0 {
		return findings, &Error{Findings: fatal}
	}
	return findings, nil
}

// settings are what checkNode needs to know of one server; "" is unknown.
type settings struct {
	policy, appendonly, save string
}

// checkNode reads one server's settings with CONFIG GET, or, where CONFIG
// is renamed or forbidden (managed services, ACLs), from INFO, which tells
// the policy and AOF but not the RDB schedule.
func checkNode(ctx context.Context, c redis.Cmdable, addr string) ([]Finding, error) {
	var findings []Finding
	s, cfgErr := fromConfig(ctx, c)
	if cfgErr != nil {
		var err error
		if s, err = fromInfo(ctx, c); err != nil {
			return nil, fmt.Errorf("read the settings of redis %s: %w", addr, err)
		}
		findings = append(findings, Finding{Severity: Warning, Addr: addr, Setting: "CONFIG",
			Message: fmt.Sprintf("CONFIG GET is not allowed (%v); read maxmemory-policy and appendonly from INFO, and cannot tell whether RDB snapshots (save) are on. Check redis.conf by hand: maxmemory-policy noeviction, appendonly yes.", cfgErr)})
	}
	if s.policy != "noeviction" {
		findings = append(findings, Finding{Severity: Fatal, Addr: addr, Setting: "maxmemory-policy",
			Message: fmt.Sprintf("maxmemory-policy is %q: when its memory fills, Redis may evict dsrhost's keys (requests, personal data, queued jobs) and requests are lost. Set \"maxmemory-policy noeviction\" in redis.conf (or run CONFIG SET maxmemory-policy noeviction, then CONFIG REWRITE).", s.policy)})
	}
	aof := s.appendonly == "yes"
	rdb := strings.TrimSpace(s.save) != ""
	if !aof && !rdb && s.save != "?" {
		findings = append(findings, Finding{Severity: Warning, Addr: addr, Setting: "appendonly",
			Message: "neither AOF (appendonly) nor RDB snapshots (save) are on: a restart of Redis loses every request and its history. Set \"appendonly yes\" (with appendfsync everysec) in redis.conf."})
	}
	return findings, nil
}

func fromConfig(ctx context.Context, c redis.Cmdable) (settings, error) {
	var s settings
	for _, p := range []struct {
		name string
		dst  *string
	}{{"maxmemory-policy", &s.policy}, {"appendonly", &s.appendonly}, {"save", &s.save}} {
		m, err := c.ConfigGet(ctx, p.name).Result()
		if err != nil {
			return s, err
		}
		v, ok := m[p.name]
		if !ok {
			return s, fmt.Errorf("CONFIG GET %s answered nothing", p.name)
		}
		*p.dst = v
	}
	return s, nil
}

func fromInfo(ctx context.Context, c redis.Cmdable) (settings, error) {
	info, err := c.Info(ctx, "memory", "persistence").Result()
	if err != nil {
		return settings{}, err
	}
	s := settings{save: "?"}
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		switch k {
		case "maxmemory_policy":
			s.policy = v
		case "aof_enabled":
			if v == "1" {
				s.appendonly = "yes"
			}
		}
	}
	if s.policy == "" {
		return s, fmt.Errorf("INFO memory has no maxmemory_policy")
	}
	return s, nil
}
