package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// ResultKey names one integration's results on a request.
type ResultKey struct {
	Workflow state.Workflow
	Name     string
}

// Results reads the results of the given integrations; purged or absent
// ones are left out of the map.
func (s *Store) Results(ctx context.Context, id string, keys []ResultKey) (map[ResultKey]*Result, error) {
	if len(keys) == 0 {
		return map[ResultKey]*Result{}, nil
	}
	cmds := make([]*redis.StringCmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.Get(ctx, s.resultKey(id, k.Workflow, k.Name))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read results of request %s: %w", id, err)
	}
	out := make(map[ResultKey]*Result, len(keys))
	for i, k := range keys {
		b, err := cmds[i].Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read results of request %s: %w", id, err)
		}
		r, err := s.codec.decodeResult(id, k.Workflow, k.Name, b)
		if err != nil {
			return nil, err
		}
		out[k] = r
	}
	return out, nil
}
