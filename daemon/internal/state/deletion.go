package state

import "github.com/dsrhost/dsrhost/sdk"

// DeletionDetail is the Complete detail of a deletion the connector has
// reported: "Deletion done" for whole-record deletion and Direct Contact,
// and also for an API integration that reports a whole-record deletion
// (sdk.DeleteResponse.WholeRecord: genericrest's deletion mode
// "whole_record" deletes by identity after extracting, and has no record
// count to show); "# records deleted" otherwise.
func DeletionDetail(t sdk.IntegrationType, recordsDeleted int64, wholeRecord bool) (Detail, int64) {
	if wholeRecord || t == sdk.WholeRecordDeletionAPI || t == sdk.DirectContact {
		return DetailDeletionDone, 0
	}
	return DetailRecordsDeleted, recordsDeleted
}
