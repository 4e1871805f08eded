package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// The report index (<prefix>:idx:report) holds one small entry per request
// for the yearly request metrics (CCPA regulations §7102): scored by the
// request's creation time (Unix milliseconds), so one ZRANGE BYSCORE reads
// every request received in a date range without touching the requests
// themselves, let alone their personal data. An entry is
//
//	<id>|<type letter>o                    while the request is open
//	<id>|<type letter><outcome letter><closed Unix seconds>  once closed
//
// about 40 bytes. A commit writes the open entry with the request's
// creation and swaps it for the closed one with the request's close: on a
// single node inside the commit script, all or nothing. On a Cluster (the
// index lives in another slot) the open entry goes in just before the
// creating commit and the closed one just after the closing commit, so a
// crash leaves at worst an open entry too many: reads skip one whose
// request does not exist and repair one whose request is closed (see
// Report). A request with both entries (a Cluster crash, or the backfill
// racing a close) counts once, closed.

// Compliance is how a request was answered, in the terms of §7102.
type Compliance byte

// The compliances.
const (
	// ComplianceOpen: not closed yet.
	ComplianceOpen Compliance = 'o'
	// ComplianceWhole: closed completed, every selected integration
	// Complete with its work done (records found or none, deleted or
	// nothing to delete) and every manual task marked done.
	ComplianceWhole Compliance = 'w'
	// CompliancePart: closed completed, but an integration was skipped
	// ("Access skipped", "Deletion skipped", either "(no response)"),
	// stopped ("Stopped processing") or answered "Data found, not
	// deleted", was not Complete, or a manual task was left undone.
	CompliancePart Compliance = 'p'
	// ComplianceDenied: rejected (closed from Review).
	ComplianceDenied Compliance = 'd'
)

// String names the compliance as reports print it.
func (c Compliance) String() string {
	switch c {
	case ComplianceOpen:
		return "open"
	case ComplianceWhole:
		return "complied in whole"
	case CompliancePart:
		return "complied in part"
	case ComplianceDenied:
		return "denied"
	}
	return "unknown"
}

// ComplianceOf is how the request in snap was answered, judged from its
// integrations and manual tasks; a request not yet marked closed is judged
// as if it closed completed now (so Close can record it in the same
// commit).
func ComplianceOf(snap *Snapshot) Compliance {
	if snap.Request.Outcome == state.OutcomeRejected {
		return ComplianceDenied
	}
	for _, it := range snap.Integrations {
		if it.Status != state.Complete {
			return CompliancePart
		}
		switch it.Detail {
		case state.DetailSkipped, state.DetailSkippedNoResponse, state.DetailStopped, state.DetailDataFoundNotDeleted:
			return CompliancePart
		}
	}
	for _, m := range snap.Manual {
		if !m.Done {
			return CompliancePart
		}
	}
	return ComplianceWhole
}

// ReportEntry is one request as the report index holds it: no subject, no
// id outside the store.
type ReportEntry struct {
	Type       sdk.RequestType
	Compliance Compliance
	CreatedAt  time.Time
	// ClosedAt is zero while the request is open.
	ClosedAt time.Time
}

var reportTypeLetters = map[sdk.RequestType]byte{
	sdk.RequestAccess: 'a', sdk.RequestDeletion: 'd', sdk.RequestDoNotSell: 's',
	sdk.RequestDoNotMail: 'm', sdk.RequestRightToEdit: 'e',
}

func (s *Store) indexReport() string { return s.prefix + ":idx:report" }

// backfillMarker is set once every request written before the report
// index existed has its entry.
func (s *Store) backfillMarker() string { return s.prefix + ":idx:report:backfilled" }

// reportMember is r's entry: open, or closed as c.
func reportMember(r *Request, c Compliance) string {
	m := r.ID + "|" + string(reportTypeLetters[r.Type])
	if c == ComplianceOpen {
		return m + string(ComplianceOpen)
	}
	return m + string(c) + strconv.FormatInt(r.ClosedAt.Unix(), 10)
}

// SetCompliance records how the request tx closes was answered; without
// it a request closing completed counts as complied with in whole.
func (tx *Tx) SetCompliance(c Compliance) { tx.compliance = c }

// reportChanges are the report entries tx adds and removes: the open entry
// with a new request, the closed one in place of it with its close.
func (s *Store) reportChanges(tx *Tx) (adds, rems []indexOp) {
	r := tx.WrittenRequest()
	if r == nil {
		return nil, nil
	}
	score := float64(r.CreatedAt.UnixMilli())
	open := indexOp{key: s.indexReport(), member: reportMember(r, ComplianceOpen), score: score}
	if r.Stage != state.StageClosed {
		if tx.createsRequest() {
			adds = append(adds, open)
		}
		return adds, nil
	}
	if r.indexedStage == state.StageClosed && !tx.createsRequest() {
		return nil, nil
	}
	c := tx.compliance
	switch {
	case r.Outcome == state.OutcomeRejected:
		c = ComplianceDenied
	case c == 0 || c == ComplianceOpen:
		c = ComplianceWhole
	}
	adds = append(adds, indexOp{key: s.indexReport(), member: reportMember(r, c), score: score})
	return adds, []indexOp{open}
}

// createsRequest reports whether tx writes a request that did not exist.
func (tx *Tx) createsRequest() bool {
	for _, w := range tx.writes {
		if w.req != nil {
			return w.version == 0
		}
	}
	return false
}

// reportPage is how many entries one read of the index takes.
const reportPage = 5000

// Report returns every request received in [from, to), each once, closed
// if it is closed. It reads the report index only, but for the entries
// still open, checked against their requests' keys and the Closed stage
// index (repairOpen). Requests written before the index existed get their
// entries first, once (Backfill).
func (s *Store) Report(ctx context.Context, from, to time.Time) ([]ReportEntry, error) {
	if err := s.backfillOnce(ctx); err != nil {
		return nil, err
	}
	best := map[string]ReportEntry{}
	var order []string
	min := strconv.FormatInt(from.UnixMilli(), 10)
	max := "(" + strconv.FormatInt(to.UnixMilli(), 10)
	for offset := int64(0); ; offset += reportPage {
		zs, err := s.rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{
			Key: s.indexReport(), Start: min, Stop: max, ByScore: true, Offset: offset, Count: reportPage,
		}).Result()
		if err != nil {
			return nil, fmt.Errorf("read report index: %w", err)
		}
		for _, z := range zs {
			m, _ := z.Member.(string)
			id, e, ok := parseReportMember(m, int64(z.Score))
			if !ok {
				continue
			}
			prev, seen := best[id]
			if !seen {
				order = append(order, id)
			}
			if !seen || prev.Compliance == ComplianceOpen {
				best[id] = e
			}
		}
		if len(zs) < reportPage {
			break
		}
	}
	if err := s.repairOpen(ctx, best); err != nil {
		return nil, err
	}
	out := make([]ReportEntry, 0, len(order))
	for _, id := range order {
		if e, ok := best[id]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// parseReportMember reads an entry of the report index scored created
// (Unix milliseconds).
func parseReportMember(m string, created int64) (string, ReportEntry, bool) {
	id, rest, ok := strings.Cut(m, "|")
	if !ok || len(rest) < 2 {
		return "", ReportEntry{}, false
	}
	e := ReportEntry{CreatedAt: time.UnixMilli(created).UTC(), Compliance: Compliance(rest[1])}
	for t, l := range reportTypeLetters {
		if l == rest[0] {
			e.Type = t
		}
	}
	if e.Type == "" {
		return "", ReportEntry{}, false
	}
	switch e.Compliance {
	case ComplianceOpen:
		return id, e, len(rest) == 2
	case ComplianceWhole, CompliancePart, ComplianceDenied:
		sec, err := strconv.ParseInt(rest[2:], 10, 64)
		if err != nil {
			return "", ReportEntry{}, false
		}
		e.ClosedAt = time.Unix(sec, 0).UTC()
		return id, e, true
	}
	return "", ReportEntry{}, false
}
