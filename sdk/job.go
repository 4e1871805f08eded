package sdk

import (
	"encoding/json"
	"strings"
	"time"
)

// RequestType is the privacy right a subject exercised.
type RequestType string

// The request types, spelled as in configuration.
const (
	RequestAccess      RequestType = "access"
	RequestDeletion    RequestType = "deletion"
	RequestDoNotSell   RequestType = "do_not_sell"
	RequestDoNotMail   RequestType = "do_not_mail"
	RequestRightToEdit RequestType = "right_to_edit"
)

// Subject identifies the person a request is about. It is personal data:
// never log it.
type Subject struct {
	Email  string
	Phone  string
	UserID string
	// Identifiers holds further identifiers, including those found by the
	// integrations this one depends on.
	Identifiers map[string]string
}

// Job is what every call about a request carries.
type Job struct {
	// IdempotencyKey names the work the job asks for: one request, one
	// workflow state (access or deletion), one integration. It is the same
	// on every delivery and every attempt of that work (retries after
	// errors, after a crash, after an operator's retry), and differs for
	// any other request, workflow state or integration. Seeing it again
	// must not do the work twice: answer as the first time did (a deletion
	// that succeeded before a crash reports its deletions again, not a
	// not_found), or do the work again only where that is harmless. Polls
	// carry the key of the job they follow. For a connector that waits on
	// a person (Direct Contact) each attempt is new work, a new message
	// with its own response link, so there the key changes per attempt.
	IdempotencyKey string
	RequestID      string
	RequestType    RequestType
	Subject        Subject
	// Integration is the integration's name in the configuration.
	Integration string
	// ResponseURL and RespondBy are set for connectors that wait on a
	// person (Direct Contact): where that person answers, and by when.
	ResponseURL string
	RespondBy   time.Time
}

// Record is one item of a subject's data.
type Record struct {
	// ID is the record's identity in the third party, used to delete it.
	ID string
	// Kind says what the record is, e.g. "contact".
	Kind string
	// Data is the record as a JSON object.
	Data json.RawMessage
}

// File is an exported or uploaded file.
type File struct {
	Name        string
	ContentType string
	Content     []byte
}

// Pending says the third party accepted the job and will finish later.
type Pending struct {
	// Handle is opaque to the daemon and given back on every poll.
	Handle string
	// PollAfter suggests when to poll next; the daemon bounds it by the
	// integration's poll_interval. Zero leaves it to the daemon.
	PollAfter time.Duration
}

// AccessRequest asks for the subject's data.
type AccessRequest struct {
	Job Job
}

// PollRequest follows up a Pending answer.
type PollRequest struct {
	Job    Job
	Handle string
}

// AccessResponse is what Access and PollAccess return: either Pending, or
// the records and files found (none found is an empty, finished answer).
type AccessResponse struct {
	Pending *Pending
	Records []Record
	Files   []File
	// Identifiers found for the subject (for example "user_id"), passed on
	// to the integrations that depend on this one.
	Identifiers map[string]string
}

// DeleteRequest asks for the subject's data to be deleted.
type DeleteRequest struct {
	Job Job
	// Records is what Access found, for connectors deleting record by record.
	Records []Record
}

// DeleteResponse is what Delete and PollDelete return: either Pending or
// the finished deletion.
type DeleteResponse struct {
	Pending *Pending
	// RecordsDeleted counts records deleted one by one ("# records deleted").
	RecordsDeleted int64
	// WholeRecord reports a deletion by identity ("Deletion done").
	WholeRecord bool
}

// JSONRecords makes a record of each JSON object in objects, of kind, its
// ID read from the object's idField (a string or a number). Access
// answers built from an API's list of objects need nothing more.
func JSONRecords(kind, idField string, objects []json.RawMessage) []Record {
	out := make([]Record, 0, len(objects))
	for _, o := range objects {
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(o, &fields)
		id := strings.Trim(string(fields[idField]), `"`)
		out = append(out, Record{ID: id, Kind: kind, Data: o})
	}
	return out
}
