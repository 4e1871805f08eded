package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// The attention index holds, for each integration waiting for a job or
// for its request to move on, the time by which its next commit is
// expected (score, Unix milliseconds). Commits set and drop entries with
// the objects they write (Tx.Attend, Tx.Unattend); the engine's reconciler
// reads only the entries whose time has passed (DueAttention), so its
// cost follows the work that went astray, not the number of open
// requests.

// Attention is an entry of the attention index: an integration's, or the
// request's own (Name "") when the request itself should move on.
type Attention struct {
	RequestID string
	Workflow  state.Workflow
	Name      string
	// At is when the entry fell due.
	At time.Time

	member string
	score  float64
}

// Settle is what to do with a visited entry: set it to Next, or drop it
// when Next is zero, provided no commit changed it since it was read.
type Settle struct {
	Entry Attention
	Next  time.Time
}

type attentionOp struct {
	field string
	at    time.Time // zero: drop
}

func (s *Store) indexAttention() string { return s.prefix + ":idx:attention" }

// attentionMember is "<request id>|<integration field>", or
// "<request id>|r" for the request's own entry.
func attentionMember(id, field string) string { return id + "|" + field }

// requestAttention is the field part of a request's own entry.
const requestAttention = "r"

// AttendRequest sets the time by which the request should have moved on:
// a commit changed it, and the progress that follows may not happen.
func (tx *Tx) AttendRequest(at time.Time) {
	tx.attention = append(tx.attention, attentionOp{field: requestAttention, at: at})
}

// UnattendRequest drops the request's own entry.
func (tx *Tx) UnattendRequest() {
	tx.attention = append(tx.attention, attentionOp{field: requestAttention})
}

// WritesManual reports whether tx writes a manual task.
func (tx *Tx) WritesManual() bool {
	for _, w := range tx.writes {
		if w.manual != nil {
			return true
		}
	}
	return false
}

// Attend sets the time by which the integration's next commit is expected.
func (tx *Tx) Attend(w state.Workflow, name string, at time.Time) {
	tx.attention = append(tx.attention, attentionOp{field: integrationField(w, name), at: at})
}

// Unattend drops the integration's entry: nothing is expected of it.
func (tx *Tx) Unattend(w state.Workflow, name string) {
	tx.attention = append(tx.attention, attentionOp{field: integrationField(w, name)})
}

// WrittenIntegrations are the integration states tx writes, in order.
func (tx *Tx) WrittenIntegrations() []*Integration {
	var out []*Integration
	for _, w := range tx.writes {
		if w.it != nil {
			out = append(out, w.it)
		}
	}
	return out
}

// WrittenRequest is the request tx writes, or nil.
func (tx *Tx) WrittenRequest() *Request {
	for _, w := range tx.writes {
		if w.req != nil {
			return w.req
		}
	}
	return nil
}

// attentionChanges are tx's attention entries to set and to drop, the
// last op on an integration winning.
func (s *Store) attentionChanges(tx *Tx) (sets []indexOp, drops []indexOp) {
	last := map[string]int{}
	for i, op := range tx.attention {
		last[op.field] = i
	}
	for i, op := range tx.attention {
		if last[op.field] != i {
			continue
		}
		m := indexOp{key: s.indexAttention(), member: attentionMember(tx.id, op.field)}
		if op.at.IsZero() {
			drops = append(drops, m)
			continue
		}
		m.score = float64(op.at.UnixMilli())
		sets = append(sets, m)
	}
	return sets, drops
}

// DueAttention returns up to limit entries due by now, earliest first.
func (s *Store) DueAttention(ctx context.Context, now time.Time, limit int) ([]Attention, error) {
	zs, err := s.rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{
		Key: s.indexAttention(), Start: "-inf", Stop: strconv.FormatInt(now.UnixMilli(), 10),
		ByScore: true, Count: int64(limit),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("read attention index: %w", err)
	}
	out := make([]Attention, 0, len(zs))
	for _, z := range zs {
		m, _ := z.Member.(string)
		a := Attention{member: m, score: z.Score, At: time.UnixMilli(int64(z.Score)).UTC()}
		id, field, ok := strings.Cut(m, "|")
		switch {
		case ok && field == requestAttention:
			a.RequestID = id
		case ok:
			a.RequestID = id
			a.Workflow, a.Name, ok = parseIntegrationField(field)
		}
		if !ok {
			// Not ours to read: drop it rather than visit it forever.
			a.RequestID = ""
		}
		out = append(out, a)
	}
	return out, nil
}

// settleScript sets or drops entries of the attention index (KEYS[1]) if
// their score is still the one read: ARGV is (member, oldScore,
// newScore or "")... A commit that changed an entry meanwhile wins.
var settleScript = redis.NewScript(`
for i = 1, #ARGV, 3 do
  local m = ARGV[i]
  local cur = redis.call('ZSCORE', KEYS[1], m)
  if cur and tonumber(cur) == tonumber(ARGV[i+1]) then
    if ARGV[i+2] == '' then redis.call('ZREM', KEYS[1], m)
    else redis.call('ZADD', KEYS[1], 'XX', ARGV[i+2], m) end
  end
end
return 1
`)

// SettleAttention applies what a reconciler's visit decided for each
// entry it read.
func (s *Store) SettleAttention(ctx context.Context, settle []Settle) error {
	if len(settle) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(settle))
	for _, st := range settle {
		next := ""
		if !st.Next.IsZero() {
			next = strconv.FormatInt(st.Next.UnixMilli(), 10)
		}
		args = append(args, st.Entry.member, strconv.FormatFloat(st.Entry.score, 'f', -1, 64), next)
	}
	if err := settleScript.Run(ctx, s.rdb, []string{s.indexAttention()}, args...).Err(); err != nil {
		return fmt.Errorf("settle attention entries: %w", err)
	}
	return nil
}

// parseIntegrationField reads an integration field, "<letter>:<name>".
func parseIntegrationField(f string) (state.Workflow, string, bool) {
	if len(f) < 3 || f[1] != ':' {
		return state.WorkflowNone, "", false
	}
	w, ok := workflowOfLetter(f[0])
	return w, f[2:], ok
}
