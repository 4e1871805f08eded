package connector

import (
	"context"
	"sync"
)

// maxRemembered bounds the jobs the connector remembers having emailed. The
// daemon de-duplicates jobs too (asynq task IDs, and its compare-and-set
// state), so this map only has to catch a redelivery shortly after the first
// delivery, such as a retry after a lost reply; older entries are dropped.
const maxRemembered = 4096

// onceMap runs a side effect at most once per key while the key is
// remembered, and gives later and concurrent callers the first result.
type onceMap struct {
	mu      sync.Mutex
	max     int
	entries map[string]*onceEntry
	order   []string // keys, oldest first, for eviction
}

type onceEntry struct {
	done  chan struct{}
	value string
	err   error
}

func newOnceMap(max int) *onceMap {
	return &onceMap{max: max, entries: map[string]*onceEntry{}}
}

// do returns the value fn gave for key, running fn only when no earlier call
// succeeded for it; fresh reports that this call ran fn. A failed fn is
// forgotten, so that a retry runs it again.
func (m *onceMap) do(ctx context.Context, key string, fn func() (string, error)) (value string, fresh bool, err error) {
	m.mu.Lock()
	if e, ok := m.entries[key]; ok {
		m.mu.Unlock()
		select {
		case <-e.done:
			return e.value, false, e.err
		case <-ctx.Done():
			return "", false, ctx.Err()
		}
	}
	e := &onceEntry{done: make(chan struct{})}
	m.entries[key] = e
	m.order = append(m.order, key)
	for len(m.entries) > m.max && len(m.order) > 0 {
		delete(m.entries, m.order[0])
		m.order = m.order[1:]
	}
	m.mu.Unlock()

	e.value, e.err = fn()
	if e.err != nil {
		m.forget(key, e)
	}
	close(e.done)
	return e.value, true, e.err
}

// forget drops a failed entry, unless it was already replaced.
func (m *onceMap) forget(key string, e *onceEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries[key] != e {
		return
	}
	delete(m.entries, key)
	for i, k := range m.order {
		if k == key {
			m.order = append(m.order[:i], m.order[i+1:]...)
			break
		}
	}
}
