package state

import (
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

func TestDeletionDetail(t *testing.T) {
	tests := []struct {
		name        string
		typ         sdk.IntegrationType
		n           int64
		wholeRecord bool
		want        string
	}{
		{"record by record", sdk.SynchronousAPI, 3, false, "Complete 3 records deleted"},
		{"async record by record", sdk.AsynchronousAPI, 0, false, "Complete 0 records deleted"},
		{"API deleting the whole record", sdk.SynchronousAPI, 0, true, "Complete Deletion done"},
		{"async API deleting the whole record", sdk.AsynchronousAPI, 5, true, "Complete Deletion done"},
		{"whole-record deletion API", sdk.WholeRecordDeletionAPI, 0, false, "Complete Deletion done"},
		{"direct contact", sdk.DirectContact, 0, false, "Complete Deletion done"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, n := DeletionDetail(tt.typ, tt.n, tt.wholeRecord)
			s := State{Workflow: PendingDelete, Status: Complete, Detail: d, Count: n}
			if got := s.Label(time.Time{}); got != tt.want {
				t.Errorf("label %q, want %q", got, tt.want)
			}
			if err := s.Validate(tt.typ); err != nil {
				t.Errorf("outside the table: %v", err)
			}
		})
	}
}
