package store

import (
	"fmt"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	storev1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/store/v1"
	"github.com/dsrhost/dsrhost/sdk"
)

// codes maps a Go enum to the protobuf enum number stored in Redis and
// back. The pairs are spelled out, never derived from the order of Go
// constants, so stored values survive reordering them.
type codes[G comparable, P ~int32] struct {
	what   string
	toPB   map[G]P
	fromPB map[P]G
}

type pair[G comparable, P ~int32] struct {
	g G
	p P
}

func newCodes[G comparable, P ~int32](what string, pairs ...pair[G, P]) codes[G, P] {
	c := codes[G, P]{what: what, toPB: make(map[G]P, len(pairs)), fromPB: make(map[P]G, len(pairs))}
	for _, p := range pairs {
		c.toPB[p.g] = p.p
		c.fromPB[p.p] = p.g
	}
	return c
}

// encode returns g's stored code; the zero value of G is stored as 0.
func (c codes[G, P]) encode(g G) (P, error) {
	var zero G
	if g == zero {
		return 0, nil
	}
	p, ok := c.toPB[g]
	if !ok {
		return 0, fmt.Errorf("%s %v has no stored code", c.what, g)
	}
	return p, nil
}

// decode reads a stored code; 0 is the zero value of G.
func (c codes[G, P]) decode(p P) (G, error) {
	var zero G
	if p == 0 {
		return zero, nil
	}
	g, ok := c.fromPB[p]
	if !ok {
		return zero, fmt.Errorf("unknown stored %s code %d", c.what, p)
	}
	return g, nil
}

var (
	requestTypeCodes = newCodes("request type",
		pair[sdk.RequestType, storev1.RequestType]{sdk.RequestAccess, storev1.RequestType_REQUEST_TYPE_ACCESS},
		pair[sdk.RequestType, storev1.RequestType]{sdk.RequestDeletion, storev1.RequestType_REQUEST_TYPE_DELETION},
		pair[sdk.RequestType, storev1.RequestType]{sdk.RequestDoNotSell, storev1.RequestType_REQUEST_TYPE_DO_NOT_SELL},
		pair[sdk.RequestType, storev1.RequestType]{sdk.RequestDoNotMail, storev1.RequestType_REQUEST_TYPE_DO_NOT_MAIL},
		pair[sdk.RequestType, storev1.RequestType]{sdk.RequestRightToEdit, storev1.RequestType_REQUEST_TYPE_RIGHT_TO_EDIT},
	)
	stageCodes = newCodes("stage",
		pair[state.Stage, storev1.Stage]{state.StageReview, storev1.Stage_STAGE_REVIEW},
		pair[state.Stage, storev1.Stage]{state.StageProcess, storev1.Stage_STAGE_PROCESS},
		pair[state.Stage, storev1.Stage]{state.StageReply, storev1.Stage_STAGE_REPLY},
		pair[state.Stage, storev1.Stage]{state.StageClosed, storev1.Stage_STAGE_CLOSED},
	)
	workflowCodes = newCodes("workflow state",
		pair[state.Workflow, storev1.Workflow]{state.Extracting, storev1.Workflow_WORKFLOW_EXTRACTING},
		pair[state.Workflow, storev1.Workflow]{state.PendingDelete, storev1.Workflow_WORKFLOW_PENDING_DELETE},
	)
	outcomeCodes = newCodes("outcome",
		pair[state.Outcome, storev1.Outcome]{state.OutcomeCompleted, storev1.Outcome_OUTCOME_COMPLETED},
		pair[state.Outcome, storev1.Outcome]{state.OutcomeRejected, storev1.Outcome_OUTCOME_REJECTED},
	)
	integrationTypeCodes = newCodes("integration type",
		pair[sdk.IntegrationType, storev1.IntegrationType]{sdk.SynchronousAPI, storev1.IntegrationType_INTEGRATION_TYPE_SYNCHRONOUS_API},
		pair[sdk.IntegrationType, storev1.IntegrationType]{sdk.AsynchronousAPI, storev1.IntegrationType_INTEGRATION_TYPE_ASYNCHRONOUS_API},
		pair[sdk.IntegrationType, storev1.IntegrationType]{sdk.WholeRecordDeletionAPI, storev1.IntegrationType_INTEGRATION_TYPE_WHOLE_RECORD_DELETION_API},
		pair[sdk.IntegrationType, storev1.IntegrationType]{sdk.DirectContact, storev1.IntegrationType_INTEGRATION_TYPE_DIRECT_CONTACT},
	)
	statusCodes = newCodes("integration status",
		pair[state.Status, storev1.Status]{state.NotStarted, storev1.Status_STATUS_NOT_STARTED},
		pair[state.Status, storev1.Status]{state.Pending, storev1.Status_STATUS_PENDING},
		pair[state.Status, storev1.Status]{state.Processing, storev1.Status_STATUS_PROCESSING},
		pair[state.Status, storev1.Status]{state.Error, storev1.Status_STATUS_ERROR},
		pair[state.Status, storev1.Status]{state.Complete, storev1.Status_STATUS_COMPLETE},
	)
	detailCodes = newCodes("integration detail",
		pair[state.Detail, storev1.Detail]{state.DetailWillProcess, storev1.Detail_DETAIL_WILL_PROCESS},
		pair[state.Detail, storev1.Detail]{state.DetailRequestSubmitted, storev1.Detail_DETAIL_REQUEST_SUBMITTED},
		pair[state.Detail, storev1.Detail]{state.DetailDue, storev1.Detail_DETAIL_DUE},
		pair[state.Detail, storev1.Detail]{state.DetailSkipped, storev1.Detail_DETAIL_SKIPPED},
		pair[state.Detail, storev1.Detail]{state.DetailSkippedNoResponse, storev1.Detail_DETAIL_SKIPPED_NO_RESPONSE},
		pair[state.Detail, storev1.Detail]{state.DetailNoRecordsFound, storev1.Detail_DETAIL_NO_RECORDS_FOUND},
		pair[state.Detail, storev1.Detail]{state.DetailNoFilesUploaded, storev1.Detail_DETAIL_NO_FILES_UPLOADED},
		pair[state.Detail, storev1.Detail]{state.DetailStopped, storev1.Detail_DETAIL_STOPPED},
		pair[state.Detail, storev1.Detail]{state.DetailRecordsFound, storev1.Detail_DETAIL_RECORDS_FOUND},
		pair[state.Detail, storev1.Detail]{state.DetailFilesUploaded, storev1.Detail_DETAIL_FILES_UPLOADED},
		pair[state.Detail, storev1.Detail]{state.DetailNothingToDelete, storev1.Detail_DETAIL_NOTHING_TO_DELETE},
		pair[state.Detail, storev1.Detail]{state.DetailNoRecordsDeleted, storev1.Detail_DETAIL_NO_RECORDS_DELETED},
		pair[state.Detail, storev1.Detail]{state.DetailDeletionDone, storev1.Detail_DETAIL_DELETION_DONE},
		pair[state.Detail, storev1.Detail]{state.DetailRecordsDeleted, storev1.Detail_DETAIL_RECORDS_DELETED},
		pair[state.Detail, storev1.Detail]{state.DetailDataFoundNotDeleted, storev1.Detail_DETAIL_DATA_FOUND_NOT_DELETED},
	)
	phaseCodes = newCodes("phase",
		pair[Phase, storev1.Phase]{PhaseCall, storev1.Phase_PHASE_CALL},
		pair[Phase, storev1.Phase]{PhasePoll, storev1.Phase_PHASE_POLL},
		pair[Phase, storev1.Phase]{PhaseAwait, storev1.Phase_PHASE_AWAIT},
	)
)

// workflowLetter names a workflow state in the request hash's field names,
// one letter to keep every field short.
func workflowLetter(w state.Workflow) string {
	switch w {
	case state.Extracting:
		return "x"
	case state.PendingDelete:
		return "d"
	}
	return "n"
}

func workflowOfLetter(b byte) (state.Workflow, bool) {
	switch b {
	case 'x':
		return state.Extracting, true
	case 'd':
		return state.PendingDelete, true
	case 'n':
		return state.WorkflowNone, true
	}
	return state.WorkflowNone, false
}

// statusLetter names a status in the request hash's counter fields.
func statusLetter(st state.Status) string {
	switch st {
	case state.NotStarted:
		return "n"
	case state.Pending:
		return "p"
	case state.Processing:
		return "r"
	case state.Error:
		return "e"
	case state.Complete:
		return "c"
	}
	return "u"
}
