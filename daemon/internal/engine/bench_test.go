package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// BenchmarkAccessRequests measures requests per second through the whole
// engine: create, approve, one synchronous job per integration, progress
// to Reply. Reported as jobs/s and requests/s.
func BenchmarkAccessRequests(b *testing.B) {
	for _, integrations := range []int{1, 4} {
		b.Run(fmt.Sprintf("integrations=%d", integrations), func(b *testing.B) {
			rs := testredis.Start(b)
			ctx := context.Background()
			var specs []IntegrationSpec
			remotes := map[string]sdk.Remote{}
			noop := &fake{access: func(context.Context, *sdk.AccessRequest) (*sdk.AccessResponse, error) { return records(1), nil }}
			for i := range integrations {
				name := fmt.Sprintf("crm%d", i)
				specs = append(specs, spec(name, sdk.SynchronousAPI, accessOnly))
				remotes[name] = noop
			}
			h := newHarness(b, rs.Client, Config{
				Integrations: specs,
				RequestTypes: map[sdk.RequestType]RequestTypeSpec{sdk.RequestAccess: {AutoApprove: true}},
			}, remotes, 1, func(o *Options) { o.Concurrency = 20; o.IdleInterval = time.Millisecond }).start()
			b.ResetTimer()
			ids := make([]string, b.N)
			for i := range b.N {
				r, err := h.e().Create(ctx, CreateInput{Type: sdk.RequestAccess, Subject: sdk.Subject{Email: fmt.Sprintf("s%d@example.com", i)}})
				if err != nil {
					b.Fatal(err)
				}
				ids[i] = r.ID
			}
			for _, id := range ids {
				for {
					r, err := h.e().Get(ctx, id)
					if err != nil {
						b.Fatal(err)
					}
					if r.Stage == state.StageReply {
						break
					}
					time.Sleep(time.Millisecond)
				}
			}
			b.StopTimer()
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N*integrations)/secs, "jobs/s")
			b.ReportMetric(float64(b.N)/secs, "requests/s")
		})
	}
}
