package state

import "fmt"

// Detail is what follows the status in a label. Some details carry a number
// (the count of records or files) or a date (a Direct Contact's due date),
// held beside it in [State].
type Detail int

// The details of both seed tables.
const (
	DetailNone Detail = iota
	// DetailWillProcess: "Will process in a workflow", waiting on depends_on.
	DetailWillProcess
	// DetailRequestSubmitted: "Request submitted" to an API.
	DetailRequestSubmitted
	// DetailDue: "Due in # days" or "Due # days ago", from the due date.
	DetailDue
	// DetailSkipped: "Access skipped" or "Deletion skipped".
	DetailSkipped
	// DetailSkippedNoResponse: "Access skipped (no response)" or "Deletion
	// skipped (no response)", a Direct Contact configured to skip.
	DetailSkippedNoResponse
	// DetailNoRecordsFound: "No records found".
	DetailNoRecordsFound
	// DetailNoFilesUploaded: "No files uploaded".
	DetailNoFilesUploaded
	// DetailStopped: "Stopped processing" by an operator.
	DetailStopped
	// DetailRecordsFound: "# records found".
	DetailRecordsFound
	// DetailFilesUploaded: "# of files uploaded".
	DetailFilesUploaded
	// DetailNothingToDelete: "Nothing to delete", a processor's answer.
	DetailNothingToDelete
	// DetailNoRecordsDeleted: "No records deleted", nothing having been
	// found while extracting.
	DetailNoRecordsDeleted
	// DetailDeletionDone: "Deletion done".
	DetailDeletionDone
	// DetailRecordsDeleted: "# records deleted".
	DetailRecordsDeleted
	// DetailDataFoundNotDeleted: "Data found, not deleted", a processor's answer.
	DetailDataFoundNotDeleted
)

var detailCodes = map[Detail]string{
	DetailNone:                "",
	DetailWillProcess:         "will_process",
	DetailRequestSubmitted:    "request_submitted",
	DetailDue:                 "due",
	DetailSkipped:             "skipped",
	DetailSkippedNoResponse:   "skipped_no_response",
	DetailNoRecordsFound:      "no_records_found",
	DetailNoFilesUploaded:     "no_files_uploaded",
	DetailStopped:             "stopped",
	DetailRecordsFound:        "records_found",
	DetailFilesUploaded:       "files_uploaded",
	DetailNothingToDelete:     "nothing_to_delete",
	DetailNoRecordsDeleted:    "no_records_deleted",
	DetailDeletionDone:        "deletion_done",
	DetailRecordsDeleted:      "records_deleted",
	DetailDataFoundNotDeleted: "data_found_not_deleted",
}

// Code returns the stable name used in storage.
func (d Detail) Code() string { return detailCodes[d] }

// ParseDetail reads a detail's Code.
func ParseDetail(code string) (Detail, error) {
	for d, c := range detailCodes {
		if c == code {
			return d, nil
		}
	}
	return DetailNone, fmt.Errorf("unknown integration detail %q", code)
}

// Counted reports whether the detail's words include the count ("#").
func (d Detail) Counted() bool {
	switch d {
	case DetailRecordsFound, DetailFilesUploaded, DetailRecordsDeleted:
		return true
	}
	return false
}

// template is the detail's words as the seed's tables write them, with "#"
// where the count goes. DetailDue has two forms and is rendered apart.
func (d Detail) template(w Workflow) string {
	switch d {
	case DetailWillProcess:
		return "Will process in a workflow"
	case DetailRequestSubmitted:
		return "Request submitted"
	case DetailSkipped:
		if w == PendingDelete {
			return "Deletion skipped"
		}
		return "Access skipped"
	case DetailSkippedNoResponse:
		if w == PendingDelete {
			return "Deletion skipped (no response)"
		}
		return "Access skipped (no response)"
	case DetailNoRecordsFound:
		return "No records found"
	case DetailNoFilesUploaded:
		return "No files uploaded"
	case DetailStopped:
		return "Stopped processing"
	case DetailRecordsFound:
		return "# records found"
	case DetailFilesUploaded:
		return "# of files uploaded"
	case DetailNothingToDelete:
		return "Nothing to delete"
	case DetailNoRecordsDeleted:
		return "No records deleted"
	case DetailDeletionDone:
		return "Deletion done"
	case DetailRecordsDeleted:
		return "# records deleted"
	case DetailDataFoundNotDeleted:
		return "Data found, not deleted"
	}
	return ""
}
