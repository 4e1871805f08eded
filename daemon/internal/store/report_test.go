package store

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oklog/ulid/v2"
	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// reportCase is a request with a known outcome: created at day created of
// 2026 (UTC), closed closed days later (-1: still open).
type reportCase struct {
	typ     sdk.RequestType
	created time.Time
	closed  int
	detail  state.Detail // the integration's final detail; DetailNone: rejected in Review
	want    Compliance
}

var reportDay0 = time.Date(2026, 1, 1, 9, 30, 0, 0, time.UTC)

func day(n int) time.Time { return reportDay0.AddDate(0, 0, n) }

var reportCases = []reportCase{
	{sdk.RequestDeletion, day(0), 3, state.DetailRecordsDeleted, ComplianceWhole},
	{sdk.RequestDeletion, day(10), 5, state.DetailNoRecordsDeleted, ComplianceWhole},
	{sdk.RequestDeletion, day(20), 8, state.DetailDataFoundNotDeleted, CompliancePart},
	{sdk.RequestDeletion, day(30), 1, state.DetailNone, ComplianceDenied},
	{sdk.RequestDeletion, day(40), -1, 0, ComplianceOpen},
	{sdk.RequestAccess, day(5), 2, state.DetailRecordsFound, ComplianceWhole},
	{sdk.RequestAccess, day(6), 4, state.DetailSkipped, CompliancePart},
	{sdk.RequestAccess, day(7), 0, state.DetailStopped, CompliancePart},
	// Outside [day 0, day 365): never counted.
	{sdk.RequestAccess, day(-1), 1, state.DetailRecordsFound, ComplianceWhole},
	{sdk.RequestAccess, day(365), 1, state.DetailRecordsFound, ComplianceWhole},
}

// createReportCase stores c's request and, unless it stays open, closes
// it as the engine does.
func createReportCase(t *testing.T, s *Store, c reportCase) string {
	t.Helper()
	ctx := context.Background()
	id := ulid.Make().String()
	r := newRequest(id, c.typ, "ada@example.com")
	r.CreatedAt = c.created
	w := state.Extracting
	if c.typ == sdk.RequestDeletion {
		w = state.PendingDelete
	}
	create(t, s, r, &Integration{Name: "crm", Workflow: w, Status: state.Pending})
	if c.closed < 0 {
		return id
	}
	snap, err := s.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tx := s.NewTx(id)
	next := snap.Request.Clone()
	next.Stage, next.ClosedAt = state.StageClosed, c.created.AddDate(0, 0, c.closed)
	if c.detail == state.DetailNone {
		next.Outcome = state.OutcomeRejected
		tx.DeleteIntegration(snap.Integrations[0])
	} else {
		it := snap.Integrations[0].Clone()
		it.Status, it.Detail = state.Complete, c.detail
		tx.PutIntegration(it)
		snap.Integrations[0] = it
		next.Outcome = state.OutcomeCompleted
		tx.SetCompliance(ComplianceOf(snap))
	}
	tx.PutRequest(next)
	if _, err := s.Commit(ctx, tx); err != nil {
		t.Fatal(err)
	}
	return id
}

// wantEntries are reportCases' entries in [day 0, day 365), in creation order.
func wantEntries() []ReportEntry {
	var out []ReportEntry
	for _, c := range reportCases {
		if c.created.Before(day(0)) || !c.created.Before(day(365)) {
			continue
		}
		e := ReportEntry{Type: c.typ, Compliance: c.want, CreatedAt: c.created}
		if c.closed >= 0 {
			e.ClosedAt = c.created.AddDate(0, 0, c.closed)
		}
		out = append(out, e)
	}
	return out
}

func sortEntries(es []ReportEntry) {
	// Creation times are distinct: order by them.
	slices.SortFunc(es, func(a, b ReportEntry) int { return a.CreatedAt.Compare(b.CreatedAt) })
}

func readReport(t *testing.T, s *Store) []ReportEntry {
	t.Helper()
	got, err := s.Report(context.Background(), day(0), day(365))
	if err != nil {
		t.Fatal(err)
	}
	sortEntries(got)
	return got
}

// TestReportIndex: every request received in the range appears once with
// its type, outcome and times, read from the index alone; its entry is
// small; and no subject or personal data is in the index.
func TestReportIndex(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			rdb := be.start(t)
			s := New(rdb, "t", testRing(t))
			for _, c := range reportCases {
				createReportCase(t, s, c)
			}
			want := wantEntries()
			sortEntries(want)
			if diff := cmp.Diff(want, readReport(t, s)); diff != "" {
				t.Fatalf("report entries (-want +got):\n%s", diff)
			}
			members, err := rdb.ZRange(context.Background(), "t:idx:report", 0, -1).Result()
			if err != nil {
				t.Fatal(err)
			}
			if len(members) != len(reportCases) {
				t.Fatalf("index holds %d entries for %d requests: %q", len(members), len(reportCases), members)
			}
			for _, m := range members {
				if len(m) > 40 || strings.Contains(m, "ada") {
					t.Errorf("entry %q: want at most 40 bytes and no personal data", m)
				}
			}
		})
	}
}

// TestReportRepairsLostClose: a daemon killed after a close's commit but
// before its report entry was written (possible on a Cluster, where the
// index is written after the commit) leaves the open entry; the report
// still counts the request closed, and repairs the entry.
func TestReportRepairsLostClose(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			rdb := be.start(t)
			s := New(rdb, "t", testRing(t))
			ctx := context.Background()
			var ids []string
			for _, c := range reportCases {
				ids = append(ids, createReportCase(t, s, c))
			}
			// Put back every closed request's open entry, as the crash leaves it.
			for _, id := range ids {
				snap, err := s.Load(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				r := snap.Request
				if r.Stage != state.StageClosed {
					continue
				}
				closed := reportMember(r, ComplianceOf(snap))
				if n, err := rdb.ZRem(ctx, "t:idx:report", closed).Result(); err != nil || n != 1 {
					t.Fatalf("remove %q: %d, %v", closed, n, err)
				}
				rdb.ZAdd(ctx, "t:idx:report", redis.Z{Score: float64(r.CreatedAt.UnixMilli()), Member: reportMember(r, ComplianceOpen)})
			}
			want := wantEntries()
			sortEntries(want)
			if diff := cmp.Diff(want, readReport(t, s)); diff != "" {
				t.Fatalf("report after a lost close (-want +got):\n%s", diff)
			}
			open, err := rdb.ZCount(ctx, "t:idx:report", "-inf", "+inf").Result()
			if err != nil {
				t.Fatal(err)
			}
			if int(open) != len(reportCases) {
				t.Fatalf("repaired index holds %d entries, want %d", open, len(reportCases))
			}
		})
	}
}

// TestReportBackfill: requests stored before the report index existed get
// their entries from the requests themselves at the first report, once.
func TestReportBackfill(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			rdb := be.start(t)
			s := New(rdb, "t", testRing(t))
			ctx := context.Background()
			for _, c := range reportCases {
				createReportCase(t, s, c)
			}
			if err := rdb.Del(ctx, "t:idx:report").Err(); err != nil {
				t.Fatal(err)
			}
			want := wantEntries()
			sortEntries(want)
			if diff := cmp.Diff(want, readReport(t, s)); diff != "" {
				t.Fatalf("report after backfill (-want +got):\n%s", diff)
			}
			// The marker is set: a second backfill would add nothing anyway.
			if n, err := s.Backfill(ctx); err != nil || n != 0 {
				t.Fatalf("second backfill added %d (%v), want 0", n, err)
			}
			if n := rdb.Exists(ctx, "t:idx:report:backfilled").Val(); n != 1 {
				t.Fatal("backfill marker not set")
			}
		})
	}
}

// TestReportBackfillReadsOnlyUnindexed: the backfill finds a request's
// entry from its id (a ULID of its creation time) without reading the
// request, so starting over a store this version wrote costs no request
// reads; only one without an entry is read and indexed.
func TestReportBackfillReadsOnlyUnindexed(t *testing.T) {
	rs := testredis.Start(t)
	s := New(rs.Client, "t", testRing(t))
	ctx := context.Background()
	var last *Request
	for i := range 5 {
		created := day(10 + i)
		last = newRequest(ulid.MustNew(ulid.Timestamp(created), rand.Reader).String(), sdk.RequestAccess, "ada@example.com")
		last.CreatedAt = created
		create(t, s, last, &Integration{Name: "crm", Workflow: state.Extracting, Status: state.Pending})
	}
	if err := rs.Client.ZRem(ctx, "t:idx:report", reportMember(last, ComplianceOpen)).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rs.Client.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Backfill(ctx); err != nil || n != 1 {
		t.Fatalf("backfill added %d (%v), want 1", n, err)
	}
	if got := testredis.CommandStat(t, rs.Client, "hgetall", "calls"); got != 1 { // the request's hash (it keeps nothing in ext)
		t.Fatalf("backfill read %v hashes, want 1 (one request)", got)
	}
	if n := rs.Client.ZScore(ctx, "t:idx:report", reportMember(last, ComplianceOpen)).Val(); n != float64(last.CreatedAt.UnixMilli()) {
		t.Fatalf("entry of the unindexed request at %v, want its creation time", n)
	}
}

// TestReportSkipsPhantom: a Cluster commit creating a request writes its
// open entry first; if the daemon dies before the request lands, the
// entry stays, and the report must not count a request that does not
// exist.
func TestReportSkipsPhantom(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			rdb := be.start(t)
			s := New(rdb, "t", testRing(t))
			ctx := context.Background()
			for _, c := range reportCases {
				createReportCase(t, s, c)
			}
			ghost := newRequest(ulid.Make().String(), sdk.RequestAccess, "ghost@example.com")
			ghost.CreatedAt = day(100)
			if err := rdb.ZAdd(ctx, "t:idx:report", redis.Z{Score: float64(ghost.CreatedAt.UnixMilli()), Member: reportMember(ghost, ComplianceOpen)}).Err(); err != nil {
				t.Fatal(err)
			}
			want := wantEntries()
			sortEntries(want)
			if diff := cmp.Diff(want, readReport(t, s)); diff != "" {
				t.Fatalf("report with a phantom entry (-want +got):\n%s", diff)
			}
		})
	}
}
