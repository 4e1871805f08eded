package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Event is one entry of a request's history.
type Event struct {
	// ID is the stream entry id, assigned by Redis; history reads in its order.
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

// Stream entry fields. Attributes are "a:<name>", sealed ones "s:<name>".
const (
	evTime        = "t"
	evKind        = "k"
	evActor       = "a"
	evIntegration = "i"
	evWorkflow    = "w"
	evMessage     = "m"
	evAttr        = "a:"
	evSealed      = "s:"
)

func (s *Store) encodeEvent(id string, ev Event) ([]any, error) {
	fv := []any{evTime, strconv.FormatInt(ev.Time.UnixMilli(), 10), evKind, ev.Kind}
	if ev.Actor != "" {
		fv = append(fv, evActor, ev.Actor)
	}
	if ev.Integration != "" {
		fv = append(fv, evIntegration, ev.Integration)
	}
	if ev.Workflow != "" {
		fv = append(fv, evWorkflow, ev.Workflow)
	}
	if ev.Message != "" {
		fv = append(fv, evMessage, ev.Message)
	}
	for k, v := range ev.Attributes {
		fv = append(fv, evAttr+k, v)
	}
	for k, v := range ev.Sealed {
		b, err := s.ring.Seal([]byte(v), aad(id, "history/"+k))
		if err != nil {
			return nil, fmt.Errorf("seal history attribute %s: %w", k, err)
		}
		fv = append(fv, evSealed+k, string(b))
	}
	return fv, nil
}

func (s *Store) decodeEvent(id string, m redis.XMessage) (Event, error) {
	ev := Event{ID: m.ID}
	for k, raw := range m.Values {
		v, _ := raw.(string)
		switch {
		case k == evTime:
			ms, _ := strconv.ParseInt(v, 10, 64)
			ev.Time = time.UnixMilli(ms).UTC()
		case k == evKind:
			ev.Kind = v
		case k == evActor:
			ev.Actor = v
		case k == evIntegration:
			ev.Integration = v
		case k == evWorkflow:
			ev.Workflow = v
		case k == evMessage:
			ev.Message = v
		case strings.HasPrefix(k, evAttr):
			if ev.Attributes == nil {
				ev.Attributes = map[string]string{}
			}
			ev.Attributes[k[len(evAttr):]] = v
		case strings.HasPrefix(k, evSealed):
			name := k[len(evSealed):]
			p, err := s.ring.Open([]byte(v), aad(id, "history/"+name))
			if err != nil {
				return Event{}, fmt.Errorf("open history attribute %s of request %s: %w", name, id, err)
			}
			if ev.Attributes == nil {
				ev.Attributes = map[string]string{}
			}
			ev.Attributes[name] = string(p)
		}
	}
	return ev, nil
}

// History returns up to count entries after the entry id after ("" for the
// start), oldest first. count <= 0 reads everything.
func (s *Store) History(ctx context.Context, id, after string, count int64) ([]Event, error) {
	start := "-"
	if after != "" {
		start = "(" + after
	}
	var msgs []redis.XMessage
	var err error
	if count > 0 {
		msgs, err = s.rdb.XRangeN(ctx, s.historyKey(id), start, "+", count).Result()
	} else {
		msgs, err = s.rdb.XRange(ctx, s.historyKey(id), start, "+").Result()
	}
	if err != nil {
		return nil, fmt.Errorf("read history of request %s: %w", id, err)
	}
	return s.decodeEvents(id, msgs)
}

func (s *Store) decodeEvents(id string, msgs []redis.XMessage) ([]Event, error) {
	out := make([]Event, 0, len(msgs))
	for _, m := range msgs {
		ev, err := s.decodeEvent(id, m)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// WaitHistory blocks up to block for entries after the entry id after
// ("$" for only new ones) and returns them; none when the wait ran out.
func (s *Store) WaitHistory(ctx context.Context, id, after string, block time.Duration) ([]Event, error) {
	if after == "" {
		after = "0"
	}
	streams, err := s.rdb.XRead(ctx, &redis.XReadArgs{
		Streams: []string{s.historyKey(id), after},
		Block:   block,
		Count:   100,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wait for history of request %s: %w", id, err)
	}
	var out []Event
	for _, st := range streams {
		evs, err := s.decodeEvents(id, st.Messages)
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
	}
	return out, nil
}

// LastHistoryID returns the id of the newest history entry, "0" when none.
func (s *Store) LastHistoryID(ctx context.Context, id string) (string, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, s.historyKey(id), "+", "-", 1).Result()
	if err != nil {
		return "", fmt.Errorf("read history of request %s: %w", id, err)
	}
	if len(msgs) == 0 {
		return "0", nil
	}
	return msgs[0].ID, nil
}
