package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// repairOpen checks the entries still open against the requests' keys and
// the Closed stage index (a pipelined EXISTS and ZSCORE each, no request
// read): an entry whose request does not exist (a Cluster creation that
// never landed, or has not yet) is dropped from best, not from the index;
// for one whose request is in the Closed stage index the request is read
// and its closed entry written.
func (s *Store) repairOpen(ctx context.Context, best map[string]ReportEntry) error {
	var open []string
	for id, e := range best {
		if e.Compliance == ComplianceOpen {
			open = append(open, id)
		}
	}
	if len(open) == 0 {
		return nil
	}
	scores := make([]*redis.FloatCmd, len(open))
	exists := make([]*redis.IntCmd, len(open))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range open {
			scores[i] = p.ZScore(ctx, s.indexStage(state.StageClosed), id)
			exists[i] = p.Exists(ctx, s.requestKey(id))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("check open report entries: %w", err)
	}
	var closed []string
	for i, id := range open {
		switch {
		case exists[i].Val() == 0:
			delete(best, id)
		case scores[i].Err() == nil:
			closed = append(closed, id)
		}
	}
	if len(closed) == 0 {
		return nil
	}
	snaps, err := s.LoadMany(ctx, closed)
	if err != nil {
		return err
	}
	for _, snap := range snaps {
		if snap == nil || snap.Request.Stage != state.StageClosed {
			continue
		}
		r := snap.Request
		c := ComplianceOf(snap)
		if err := s.writeClosedEntry(ctx, r, c); err != nil {
			return err
		}
		best[r.ID] = ReportEntry{Type: r.Type, Compliance: c, CreatedAt: r.CreatedAt.UTC(), ClosedAt: time.Unix(r.ClosedAt.Unix(), 0).UTC()}
	}
	return nil
}

// writeClosedEntry puts r's closed entry in place of its open one.
func (s *Store) writeClosedEntry(ctx context.Context, r *Request, c Compliance) error {
	score := float64(r.CreatedAt.UnixMilli())
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, s.indexReport(), redis.Z{Score: score, Member: reportMember(r, c)})
		p.ZRem(ctx, s.indexReport(), reportMember(r, ComplianceOpen))
		return nil
	})
	if err != nil {
		return fmt.Errorf("repair report entry of request %s: %w", r.ID, err)
	}
	return nil
}
