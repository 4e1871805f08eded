package connector

import (
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// maxRemembered bounds how many job keys are remembered: enough for every
// deletion in flight between daemon restarts, at well under a megabyte.
const maxRemembered = 10000

// submissions makes Delete idempotent per job: a job key seen before answers
// the deletion request it created instead of submitting the subject to Heap
// again, and concurrent deliveries of one key share one submission. Memory
// is bounded (least recently used keys are forgotten) and lost when the
// plugin restarts; that is enough because the daemon de-duplicates jobs too
// (asynq TaskID) and stores the Pending handle, so this only covers a job
// delivered again before the daemon recorded its answer.
type submissions struct {
	ids    *lru.Cache[string, string]
	flight singleflight.Group
}

func newSubmissions(size int) *submissions {
	ids, err := lru.New[string, string](size)
	if err != nil {
		// Only a non-positive size fails, and size is a constant.
		panic(err)
	}
	return &submissions{ids: ids}
}

// do returns the deletion request id remembered for key, or runs submit once
// for every concurrent caller and remembers its id. An empty key cannot be
// de-duplicated and always submits.
func (s *submissions) do(key string, submit func() (string, error)) (string, error) {
	if key == "" {
		return submit()
	}
	if id, ok := s.ids.Get(key); ok {
		return id, nil
	}
	v, err, _ := s.flight.Do(key, func() (any, error) {
		if id, ok := s.ids.Get(key); ok {
			return id, nil
		}
		id, err := submit()
		if err != nil {
			return "", err
		}
		s.ids.Add(key, id)
		return id, nil
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// reset forgets every key.
func (s *submissions) reset() { s.ids.Purge() }
