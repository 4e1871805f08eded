package engine

import (
	"context"
	"fmt"

	"github.com/dsrhost/dsrhost/daemon/internal/store"
)

// ActorPrivacyCenter is the actor of what a subject does through the
// privacy center (downloading the access results).
const ActorPrivacyCenter = "privacy-center"

// EventDownload is a subject's download of the access results.
const EventDownload = "privacy_center.download"

// Note appends ev to a request's history without changing its state, for
// what happens around a request rather than to it (a subject's download).
// Its time is set here; an empty actor is the system.
func (e *Engine) Note(ctx context.Context, id string, ev Event) error {
	_, err := e.update(ctx, id, func(_ *store.Snapshot, tx *store.Tx) error {
		ev.Time = e.now()
		ev.Actor = actorOr(ev.Actor)
		tx.Append(ev)
		return nil
	})
	if err != nil {
		return fmt.Errorf("record %s on request %s: %w", ev.Kind, id, err)
	}
	return nil
}
