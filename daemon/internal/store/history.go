package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	storev1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/store/v1"
)

// Event is one entry of a request's history.
type Event struct {
	// ID is the entry's position in the history, from "1"; history reads
	// in its order.
	ID   string
	Time time.Time
	// Kind says what happened, e.g. "request.created", "integration.state".
	Kind string
	// Actor is an admin token's name, "system" or "direct-contact".
	Actor       string
	Integration string
	Workflow    string
	Message     string
	// Attributes are shown as they are: never put personal data here.
	Attributes map[string]string
	// Sealed attributes (a reply's text, an operator's note) are encrypted
	// at rest; on reading they are returned among Attributes.
	Sealed map[string]string
}

// The history is a Redis list of EventDoc messages, appended to by the
// commit script (RPUSH). It is never trimmed, so an entry's id is its
// position: the n-th entry has id "n" and list index n-1, and the entries
// after id "n" start at index n. A list costs its entries' bytes, where a
// stream pre-allocates a 4 KiB node for every request.

// History polling bounds: WaitHistory reads the list again after pollMin,
// backing off to pollMax while nothing comes.
const (
	historyPollMin = 50 * time.Millisecond
	historyPollMax = 250 * time.Millisecond
	// historyWaitBatch is the most entries one WaitHistory returns.
	historyWaitBatch = 100
)

func (s *Store) encodeEvent(id string, ev Event) ([]byte, error) {
	d := &storev1.EventDoc{
		Time: ev.Time.UnixMilli(), Kind: ev.Kind, Actor: ev.Actor, Integration: ev.Integration,
		Message: ev.Message, Attributes: ev.Attributes,
	}
	if w, err := state.ParseWorkflow(ev.Workflow); err == nil && w != state.WorkflowNone {
		d.Workflow, _ = workflowCodes.encode(w)
	} else {
		d.WorkflowText = ev.Workflow
	}
	if len(ev.Sealed) > 0 {
		p, err := proto.Marshal(&storev1.SealedAttributes{Values: ev.Sealed})
		if err != nil {
			return nil, fmt.Errorf("encode history attributes: %w", err)
		}
		if d.Sealed, err = s.ring.Seal(p, aad(id, aadHistory)); err != nil {
			return nil, fmt.Errorf("seal history attributes: %w", err)
		}
	}
	b, err := proto.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode history entry: %w", err)
	}
	return b, nil
}

func (s *Store) decodeEvent(id string, pos int64, v string) (Event, error) {
	var d storev1.EventDoc
	if err := proto.Unmarshal([]byte(v), &d); err != nil {
		return Event{}, fmt.Errorf("decode history entry %d of request %s: %w", pos, id, err)
	}
	ev := Event{
		ID: strconv.FormatInt(pos, 10), Time: time.UnixMilli(d.Time).UTC(), Kind: d.Kind,
		Actor: d.Actor, Integration: d.Integration, Workflow: d.WorkflowText, Message: d.Message,
		Attributes: d.Attributes,
	}
	if d.Workflow != storev1.Workflow_WORKFLOW_UNSPECIFIED {
		w, err := workflowCodes.decode(d.Workflow)
		if err != nil {
			return Event{}, fmt.Errorf("decode history entry %d of request %s: %w", pos, id, err)
		}
		ev.Workflow = w.Code()
	}
	if len(d.Sealed) > 0 {
		p, err := s.ring.Open(d.Sealed, aad(id, aadHistory))
		if err != nil {
			return Event{}, fmt.Errorf("open history entry %d of request %s: %w", pos, id, err)
		}
		var sa storev1.SealedAttributes
		if err := proto.Unmarshal(p, &sa); err != nil {
			return Event{}, fmt.Errorf("decode history entry %d of request %s: %w", pos, id, err)
		}
		if ev.Attributes == nil {
			ev.Attributes = make(map[string]string, len(sa.Values))
		}
		for k, v := range sa.Values {
			ev.Attributes[k] = v
		}
	}
	return ev, nil
}

// decodeEvents decodes list entries read from index start.
func (s *Store) decodeEvents(id string, start int64, vals []string) ([]Event, error) {
	out := make([]Event, 0, len(vals))
	for i, v := range vals {
		ev, err := s.decodeEvent(id, start+int64(i)+1, v)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// historyStart is the list index of the first entry after the entry id
// after: "" (or "0") is the start.
func historyStart(after string) (int64, error) {
	if after == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(after, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("history cursor %q is not an entry id", after)
	}
	return n, nil
}

// History returns up to count entries after the entry id after ("" for the
// start), oldest first. count <= 0 reads everything.
func (s *Store) History(ctx context.Context, id, after string, count int64) ([]Event, error) {
	start, err := historyStart(after)
	if err != nil {
		return nil, fmt.Errorf("read history of request %s: %w", id, err)
	}
	return s.historyRange(ctx, id, start, count)
}

func (s *Store) historyRange(ctx context.Context, id string, start, count int64) ([]Event, error) {
	stop := int64(-1)
	if count > 0 {
		stop = start + count - 1
	}
	vals, err := s.rdb.LRange(ctx, s.historyKey(id), start, stop).Result()
	if err != nil {
		return nil, fmt.Errorf("read history of request %s: %w", id, err)
	}
	return s.decodeEvents(id, start, vals)
}

// WaitHistory blocks up to block for entries after the entry id after
// ("$" for only new ones) and returns them; none when the wait ran out.
// It polls the list, backing off from 50 to 250 ms: a plain read works
// the same on a single node and a Cluster, and costs no connection of
// its own per watcher.
func (s *Store) WaitHistory(ctx context.Context, id, after string, block time.Duration) ([]Event, error) {
	var start int64
	if after == "$" {
		n, err := s.rdb.LLen(ctx, s.historyKey(id)).Result()
		if err != nil {
			return nil, fmt.Errorf("wait for history of request %s: %w", id, err)
		}
		start = n
	} else {
		var err error
		if start, err = historyStart(after); err != nil {
			return nil, fmt.Errorf("wait for history of request %s: %w", id, err)
		}
	}
	deadline := time.Now().Add(block)
	pause := historyPollMin
	for {
		evs, err := s.historyRange(ctx, id, start, historyWaitBatch)
		if err != nil || len(evs) > 0 {
			return evs, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, nil
		}
		t := time.NewTimer(min(pause, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("wait for history of request %s: %w", id, ctx.Err())
		case <-t.C:
		}
		pause = min(2*pause, historyPollMax)
	}
}

// LastHistoryID returns the id of the newest history entry, "0" when none.
func (s *Store) LastHistoryID(ctx context.Context, id string) (string, error) {
	n, err := s.rdb.LLen(ctx, s.historyKey(id)).Result()
	if err != nil {
		return "", fmt.Errorf("read history of request %s: %w", id, err)
	}
	return strconv.FormatInt(n, 10), nil
}
