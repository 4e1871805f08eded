package state

import (
	"fmt"
	"slices"

	"github.com/dsrhost/dsrhost/sdk"
)

// Row is one row of the seed's integration state tables.
type Row struct {
	Status Status
	Detail Detail
	// Label is the row as the seed writes it, "#" standing for a count.
	Label string
	// Types are the integration types the state is valid for.
	Types []sdk.IntegrationType
}

var (
	allTypes = []sdk.IntegrationType{sdk.SynchronousAPI, sdk.AsynchronousAPI, sdk.WholeRecordDeletionAPI, sdk.DirectContact}
	apiTypes = []sdk.IntegrationType{sdk.SynchronousAPI, sdk.AsynchronousAPI}
	allAPI   = []sdk.IntegrationType{sdk.SynchronousAPI, sdk.AsynchronousAPI, sdk.WholeRecordDeletionAPI}
	dcOnly   = []sdk.IntegrationType{sdk.DirectContact}
)

// The two tables, row for row as the seed writes them. "Processing Due in
// # days" and "Processing Due # days ago" are one state (DetailDue) whose
// words depend on the clock. One departure: the seed lists "Complete
// Stopped processing" in Pending Delete for Direct Contact only, while the
// contract lets an operator stop any integration; it is valid for all types
// here, as in Extracting Personal Data. Another: "Complete Deletion done"
// is also valid for Synchronous and Asynchronous API integrations that
// delete whole records by identity after extracting (DeletionDetail).
var tables = map[Workflow][]Row{
	Extracting: {
		{NotStarted, DetailNone, "Not Started", allTypes},
		{NotStarted, DetailWillProcess, "Not Started Will process in a workflow", allTypes},
		{Pending, DetailNone, "Pending", allTypes},
		{Processing, DetailRequestSubmitted, "Processing Request submitted", apiTypes},
		{Processing, DetailDue, "Processing Due in # days", dcOnly},
		{Error, DetailNone, "Error", allTypes},
		{Complete, DetailSkipped, "Complete Access skipped", allTypes},
		{Complete, DetailSkippedNoResponse, "Complete Access skipped (no response)", dcOnly},
		{Complete, DetailNoRecordsFound, "Complete No records found", apiTypes},
		{Complete, DetailNoFilesUploaded, "Complete No files uploaded", dcOnly},
		{Complete, DetailStopped, "Complete Stopped processing", allTypes},
		{Complete, DetailRecordsFound, "Complete # records found", apiTypes},
		{Complete, DetailFilesUploaded, "Complete # of files uploaded", dcOnly},
	},
	PendingDelete: {
		{NotStarted, DetailNone, "Not Started", allTypes},
		{NotStarted, DetailWillProcess, "Not Started Will process in a workflow", allTypes},
		{Pending, DetailNone, "Pending", allTypes},
		{Processing, DetailRequestSubmitted, "Processing Request submitted", allAPI},
		{Processing, DetailDue, "Processing Due in # days", dcOnly},
		{Error, DetailNone, "Error", allTypes},
		{Complete, DetailSkipped, "Complete Deletion skipped", allTypes},
		{Complete, DetailSkippedNoResponse, "Complete Deletion skipped (no response)", dcOnly},
		{Complete, DetailNothingToDelete, "Complete Nothing to delete", dcOnly},
		{Complete, DetailNoRecordsDeleted, "Complete No records deleted", apiTypes},
		{Complete, DetailStopped, "Complete Stopped processing", allTypes},
		{Complete, DetailDeletionDone, "Complete Deletion done", allTypes},
		{Complete, DetailRecordsDeleted, "Complete # records deleted", apiTypes},
		{Complete, DetailDataFoundNotDeleted, "Complete Data found, not deleted", dcOnly},
	},
}

// Table returns the seed's table of integration states for a workflow state.
func Table(w Workflow) []Row {
	return slices.Clone(tables[w])
}

// Validate reports whether the state is one the seed's table allows for an
// integration of type t.
func (s State) Validate(t sdk.IntegrationType) error {
	for _, r := range tables[s.Workflow] {
		if r.Status == s.Status && r.Detail == s.Detail {
			if slices.Contains(r.Types, t) {
				return nil
			}
			return fmt.Errorf("state %q is not valid for a %s integration in %s", r.Label, t, s.Workflow)
		}
	}
	return fmt.Errorf("no state %s with detail %q in %s", s.Status, s.Detail.Code(), s.Workflow)
}

// Runs reports whether an integration of type t with the given
// capabilities takes part in workflow state w of a request of type rt:
//   - access: Extracting Personal Data on every integration that can
//     access, except whole-record deletion ones, which cannot extract;
//   - deletion: Extracting Personal Data on every API integration that can
//     access (not whole-record deletion, not Direct Contact), then Pending
//     Delete on every integration that can delete;
//   - the other types have only manual data sources.
func Runs(rt sdk.RequestType, w Workflow, t sdk.IntegrationType, caps []sdk.Capability) bool {
	canAccess := slices.Contains(caps, sdk.CapabilityAccess)
	canDelete := slices.Contains(caps, sdk.CapabilityDelete)
	switch {
	case rt == sdk.RequestAccess && w == Extracting:
		return canAccess && t != sdk.WholeRecordDeletionAPI
	case rt == sdk.RequestDeletion && w == Extracting:
		return canAccess && (t == sdk.SynchronousAPI || t == sdk.AsynchronousAPI)
	case rt == sdk.RequestDeletion && w == PendingDelete:
		return canDelete
	}
	return false
}

// Workflows returns the workflow states a request of type rt goes through,
// in order.
func Workflows(rt sdk.RequestType) []Workflow {
	switch rt {
	case sdk.RequestAccess:
		return []Workflow{Extracting}
	case sdk.RequestDeletion:
		return []Workflow{Extracting, PendingDelete}
	}
	return nil
}
