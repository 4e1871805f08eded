package store

import (
	"context"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// BenchmarkReport reads a year of 100,000 closed requests' report
// entries (written as commits write them) and reports the index's memory
// per request.
func BenchmarkReport(b *testing.B) {
	rs := testredis.Start(b)
	s := New(rs.Client, "b", testRing(b))
	ctx := context.Background()
	const n = 100_000
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	types := []sdk.RequestType{sdk.RequestAccess, sdk.RequestDeletion, sdk.RequestDoNotSell}
	for i := 0; i < n; i += 1000 {
		zs := make([]redis.Z, 0, 1000)
		for j := i; j < i+1000; j++ {
			created := start.Add(time.Duration(j) * 5 * time.Minute)
			r := &Request{ID: ulid.Make().String(), Type: types[j%3], CreatedAt: created, ClosedAt: created.Add(time.Duration(j%40) * 24 * time.Hour)}
			zs = append(zs, redis.Z{Score: float64(created.UnixMilli()), Member: reportMember(r, ComplianceWhole)})
		}
		if err := rs.Client.ZAdd(ctx, s.indexReport(), zs...).Err(); err != nil {
			b.Fatal(err)
		}
	}
	rs.Client.Set(ctx, s.backfillMarker(), "1", 0)
	mem, err := rs.Client.MemoryUsage(ctx, s.indexReport(), 0).Result()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		es, err := s.Report(ctx, start, start.AddDate(1, 0, 0))
		if err != nil || len(es) != n {
			b.Fatalf("%d entries, %v", len(es), err)
		}
	}
	b.ReportMetric(float64(mem)/n, "index-bytes/request")
}
