package state

import (
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

func TestLabelEveryRow(t *testing.T) {
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		want string
		s    State
		typ  sdk.IntegrationType
	}{
		{"Not Started", State{Workflow: Extracting, Status: NotStarted}, sdk.SynchronousAPI},
		{"Not Started Will process in a workflow", State{Workflow: Extracting, Status: NotStarted, Detail: DetailWillProcess}, sdk.SynchronousAPI},
		{"Pending", State{Workflow: Extracting, Status: Pending}, sdk.AsynchronousAPI},
		{"Processing Request submitted", State{Workflow: Extracting, Status: Processing, Detail: DetailRequestSubmitted}, sdk.AsynchronousAPI},
		{"Processing Due in 5 days", State{Workflow: Extracting, Status: Processing, Detail: DetailDue, DueAt: now.Add(5 * day)}, sdk.DirectContact},
		{"Processing Due 2 days ago", State{Workflow: Extracting, Status: Processing, Detail: DetailDue, DueAt: now.Add(-2 * day)}, sdk.DirectContact},
		{"Error", State{Workflow: Extracting, Status: Error}, sdk.DirectContact},
		{"Complete Access skipped", State{Workflow: Extracting, Status: Complete, Detail: DetailSkipped}, sdk.SynchronousAPI},
		{"Complete Access skipped (no response)", State{Workflow: Extracting, Status: Complete, Detail: DetailSkippedNoResponse}, sdk.DirectContact},
		{"Complete No records found", State{Workflow: Extracting, Status: Complete, Detail: DetailNoRecordsFound}, sdk.SynchronousAPI},
		{"Complete No files uploaded", State{Workflow: Extracting, Status: Complete, Detail: DetailNoFilesUploaded}, sdk.DirectContact},
		{"Complete Stopped processing", State{Workflow: Extracting, Status: Complete, Detail: DetailStopped}, sdk.AsynchronousAPI},
		{"Complete 3 records found", State{Workflow: Extracting, Status: Complete, Detail: DetailRecordsFound, Count: 3}, sdk.SynchronousAPI},
		{"Complete 2 of files uploaded", State{Workflow: Extracting, Status: Complete, Detail: DetailFilesUploaded, Count: 2}, sdk.DirectContact},

		{"Not Started", State{Workflow: PendingDelete, Status: NotStarted}, sdk.WholeRecordDeletionAPI},
		{"Not Started Will process in a workflow", State{Workflow: PendingDelete, Status: NotStarted, Detail: DetailWillProcess}, sdk.SynchronousAPI},
		{"Pending", State{Workflow: PendingDelete, Status: Pending}, sdk.DirectContact},
		{"Processing Request submitted", State{Workflow: PendingDelete, Status: Processing, Detail: DetailRequestSubmitted}, sdk.WholeRecordDeletionAPI},
		{"Processing Due in 5 days", State{Workflow: PendingDelete, Status: Processing, Detail: DetailDue, DueAt: now.Add(4*day + time.Hour)}, sdk.DirectContact},
		{"Processing Due 2 days ago", State{Workflow: PendingDelete, Status: Processing, Detail: DetailDue, DueAt: now.Add(-36 * time.Hour)}, sdk.DirectContact},
		{"Error", State{Workflow: PendingDelete, Status: Error}, sdk.SynchronousAPI},
		{"Complete Deletion skipped", State{Workflow: PendingDelete, Status: Complete, Detail: DetailSkipped}, sdk.WholeRecordDeletionAPI},
		{"Complete Deletion skipped (no response)", State{Workflow: PendingDelete, Status: Complete, Detail: DetailSkippedNoResponse}, sdk.DirectContact},
		{"Complete Nothing to delete", State{Workflow: PendingDelete, Status: Complete, Detail: DetailNothingToDelete}, sdk.DirectContact},
		{"Complete No records deleted", State{Workflow: PendingDelete, Status: Complete, Detail: DetailNoRecordsDeleted}, sdk.SynchronousAPI},
		{"Complete Stopped processing", State{Workflow: PendingDelete, Status: Complete, Detail: DetailStopped}, sdk.DirectContact},
		{"Complete Deletion done", State{Workflow: PendingDelete, Status: Complete, Detail: DetailDeletionDone}, sdk.WholeRecordDeletionAPI},
		{"Complete Deletion done", State{Workflow: PendingDelete, Status: Complete, Detail: DetailDeletionDone}, sdk.DirectContact},
		{"Complete 3 records deleted", State{Workflow: PendingDelete, Status: Complete, Detail: DetailRecordsDeleted, Count: 3}, sdk.AsynchronousAPI},
		{"Complete Data found, not deleted", State{Workflow: PendingDelete, Status: Complete, Detail: DetailDataFoundNotDeleted}, sdk.DirectContact},
	}
	for _, tt := range tests {
		t.Run(tt.s.Workflow.String()+"/"+tt.want+"/"+tt.typ.String(), func(t *testing.T) {
			if got := tt.s.Label(now); got != tt.want {
				t.Errorf("Label() = %q, want %q", got, tt.want)
			}
			if err := tt.s.Validate(tt.typ); err != nil {
				t.Errorf("Validate(%s): %v", tt.typ, err)
			}
		})
	}

	// Every row of both seed tables is named above.
	named := map[string]bool{}
	for _, tt := range tests {
		named[tt.s.Workflow.String()+"/"+tt.s.Status.String()+"/"+tt.s.Detail.Code()] = true
	}
	for _, w := range []Workflow{Extracting, PendingDelete} {
		for _, r := range Table(w) {
			if !named[w.String()+"/"+r.Status.String()+"/"+r.Detail.Code()] {
				t.Errorf("row %q of %s has no label test", r.Label, w)
			}
		}
	}
}

func TestRowLabelsMatchRendering(t *testing.T) {
	now := time.Unix(0, 0)
	for _, w := range []Workflow{Extracting, PendingDelete} {
		for _, r := range Table(w) {
			s := State{Workflow: w, Status: r.Status, Detail: r.Detail, Count: 7, DueAt: now.Add(72 * time.Hour)}
			want := r.Label
			switch {
			case r.Detail.Counted():
				want = replaceHash(want, "7")
			case r.Detail == DetailDue:
				want = "Processing Due in 3 days"
			}
			if got := s.Label(now); got != want {
				t.Errorf("%s: Label() = %q, want %q", w, got, want)
			}
		}
	}
}

func replaceHash(s, n string) string {
	for i := range len(s) {
		if s[i] == '#' {
			return s[:i] + n + s[i+1:]
		}
	}
	return s
}

func TestValidateRejectsStatesOutsideTheTables(t *testing.T) {
	tests := []struct {
		name string
		s    State
		typ  sdk.IntegrationType
	}{
		{"records found by direct contact", State{Workflow: Extracting, Status: Complete, Detail: DetailRecordsFound}, sdk.DirectContact},
		{"files uploaded by an API", State{Workflow: Extracting, Status: Complete, Detail: DetailFilesUploaded}, sdk.SynchronousAPI},
		{"records deleted by a whole-record deletion API", State{Workflow: PendingDelete, Status: Complete, Detail: DetailRecordsDeleted, Count: 1}, sdk.WholeRecordDeletionAPI},
		{"request submitted to a processor", State{Workflow: Extracting, Status: Processing, Detail: DetailRequestSubmitted}, sdk.DirectContact},
		{"deletion detail while extracting", State{Workflow: Extracting, Status: Complete, Detail: DetailNothingToDelete}, sdk.DirectContact},
		{"no workflow", State{Status: Pending}, sdk.SynchronousAPI},
		{"pending with a detail", State{Workflow: Extracting, Status: Pending, Detail: DetailStopped}, sdk.SynchronousAPI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.Validate(tt.typ); err == nil {
				t.Errorf("Validate(%s) accepted %q", tt.typ, tt.s.Label(time.Now()))
			}
		})
	}
}

func TestDueText(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		due  time.Duration
		want string
	}{
		{14 * 24 * time.Hour, "Due in 14 days"},
		{13*24*time.Hour + time.Second, "Due in 14 days"},
		{time.Minute, "Due in 1 days"},
		{0, "Due 0 days ago"},
		{-time.Minute, "Due 1 days ago"},
		{-48 * time.Hour, "Due 2 days ago"},
	}
	for _, tt := range tests {
		if got := dueText(now.Add(tt.due), now); got != tt.want {
			t.Errorf("dueText(%v) = %q, want %q", tt.due, got, tt.want)
		}
	}
}

func TestRuns(t *testing.T) {
	both := []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete}
	del := []sdk.Capability{sdk.CapabilityDelete}
	tests := []struct {
		rt   sdk.RequestType
		w    Workflow
		t    sdk.IntegrationType
		caps []sdk.Capability
		want bool
	}{
		{sdk.RequestAccess, Extracting, sdk.SynchronousAPI, both, true},
		{sdk.RequestAccess, Extracting, sdk.DirectContact, both, true},
		{sdk.RequestAccess, Extracting, sdk.WholeRecordDeletionAPI, both, false},
		{sdk.RequestAccess, Extracting, sdk.SynchronousAPI, del, false},
		{sdk.RequestAccess, PendingDelete, sdk.SynchronousAPI, both, false},
		{sdk.RequestDeletion, Extracting, sdk.AsynchronousAPI, both, true},
		{sdk.RequestDeletion, Extracting, sdk.DirectContact, both, false},
		{sdk.RequestDeletion, Extracting, sdk.WholeRecordDeletionAPI, both, false},
		{sdk.RequestDeletion, PendingDelete, sdk.WholeRecordDeletionAPI, del, true},
		{sdk.RequestDeletion, PendingDelete, sdk.DirectContact, both, true},
		{sdk.RequestDeletion, PendingDelete, sdk.SynchronousAPI, []sdk.Capability{sdk.CapabilityAccess}, false},
		{sdk.RequestDoNotSell, Extracting, sdk.SynchronousAPI, both, false},
		{sdk.RequestRightToEdit, PendingDelete, sdk.SynchronousAPI, both, false},
	}
	for _, tt := range tests {
		if got := Runs(tt.rt, tt.w, tt.t, tt.caps); got != tt.want {
			t.Errorf("Runs(%s, %s, %s, %v) = %v, want %v", tt.rt, tt.w, tt.t, tt.caps, got, tt.want)
		}
	}
}

func TestCodesRoundTrip(t *testing.T) {
	for _, s := range Statuses() {
		got, err := ParseStatus(s.Code())
		if err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %v, %v", s.Code(), got, err)
		}
	}
	for d := range detailCodes {
		got, err := ParseDetail(d.Code())
		if err != nil || got != d {
			t.Errorf("ParseDetail(%q) = %v, %v", d.Code(), got, err)
		}
	}
	for _, st := range []Stage{StageReview, StageProcess, StageReply, StageClosed} {
		got, err := ParseStage(st.Code())
		if err != nil || got != st {
			t.Errorf("ParseStage(%q) = %v, %v", st.Code(), got, err)
		}
	}
	for _, w := range []Workflow{Extracting, PendingDelete} {
		got, err := ParseWorkflow(w.Code())
		if err != nil || got != w {
			t.Errorf("ParseWorkflow(%q) = %v, %v", w.Code(), got, err)
		}
	}
	if _, err := ParseStatus("bogus"); err == nil {
		t.Error("ParseStatus accepted bogus")
	}
}
