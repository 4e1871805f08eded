package store

import (
	"context"
	"fmt"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// CountStage returns how many requests are in stage st, from its index in
// one round trip, for metrics.
func (s *Store) CountStage(ctx context.Context, st state.Stage) (int64, error) {
	n, err := s.rdb.ZCard(ctx, s.indexStage(st)).Result()
	if err != nil {
		return 0, fmt.Errorf("count %s requests: %w", st, err)
	}
	return n, nil
}
