package apitest

import (
	"context"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
)

// ExtendedDue implements api.Extender: the sample request's due date plus
// 45 days.
func (f *FakeEngine) ExtendedDue(context.Context, string) (time.Time, error) {
	f.record("ExtendedDue", "")
	return SampleRequest().DueAt.Add(45 * 24 * time.Hour), nil
}

// Extend implements api.Extender.
func (f *FakeEngine) Extend(_ context.Context, id, actor, _ string, _ engine.Reply) (*engine.Request, error) {
	f.record("Extend", actor)
	r := SampleRequest()
	r.ID, r.DueAt = id, r.DueAt.Add(45*24*time.Hour)
	return r, nil
}
