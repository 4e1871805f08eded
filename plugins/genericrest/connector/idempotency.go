package connector

import (
	"sync"

	"golang.org/x/sync/singleflight"
)

// jobCache remembers the answers given to jobs by idempotency key, so a job
// delivered twice does not submit a second export or deletion. It holds
// only handles and deletion outcomes, never records, and forgets the oldest
// entry beyond its capacity. A process restart forgets everything; the
// daemon then sees a new submission, which the third party's own job model
// has to absorb.
type jobCache struct {
	capacity int
	flight   singleflight.Group

	mu    sync.Mutex
	items map[string]any
	order []string // insertion order, oldest first
}

func newJobCache(capacity int) *jobCache {
	return &jobCache{capacity: capacity, items: map[string]any{}}
}

func (c *jobCache) get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.items[key]
	return v, ok
}

func (c *jobCache) put(key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; !ok {
		c.order = append(c.order, key)
	}
	c.items[key] = v
	for len(c.order) > c.capacity {
		delete(c.items, c.order[0])
		c.order = c.order[1:]
	}
}

// do returns the remembered answer for key, or runs fn once however many
// callers ask at the same time, remembering its answer when keep says so.
// An empty key is never remembered.
func (c *jobCache) do(key string, fn func() (any, error), keep func(any) bool) (any, error) {
	if key == "" {
		return fn()
	}
	if v, ok := c.get(key); ok {
		return v, nil
	}
	v, err, _ := c.flight.Do(key, func() (any, error) {
		if v, ok := c.get(key); ok {
			return v, nil
		}
		v, err := fn()
		if err == nil && keep(v) {
			c.put(key, v)
		}
		return v, err
	})
	return v, err
}
