package respond

import (
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/plugins/directcontact/connector"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/sdk"
)

// Choice is one answer as the processor sees it: the sentence they pick,
// the value the page's form sends, and whether files go with it.
type Choice struct {
	Answer engine.Answer
	// Value is the form value; the directcontact connector's answer code.
	Value string
	// Text is the sentence, word for word as the email quotes it (for
	// deletion, the product documents' own).
	Text string
	// Files: the answer is given by uploading files.
	Files bool
}

// choices lists a workflow state's answers in the order the email lists
// them. The texts come from the connector, so the page and the email
// cannot drift apart.
func choices(w state.Workflow) []Choice {
	var out []Choice
	for _, a := range engine.Answers(w) {
		if c, ok := choiceOf(a); ok {
			out = append(out, c)
		}
	}
	return out
}

func choiceOf(a engine.Answer) (Choice, bool) {
	switch a {
	case engine.AnswerFilesUploaded:
		return Choice{Answer: a, Value: string(connector.AccessFilesUploaded), Text: connector.AccessFilesUploaded.Text(), Files: true}, true
	case engine.AnswerNoFiles:
		return Choice{Answer: a, Value: string(connector.AccessNoData), Text: connector.AccessNoData.Text()}, true
	case engine.AnswerDeleted:
		return Choice{Answer: a, Value: string(connector.DeletionDone), Text: connector.DeletionDone.Text()}, true
	case engine.AnswerNothingToDelete:
		return Choice{Answer: a, Value: string(connector.DeletionNothingToDelete), Text: connector.DeletionNothingToDelete.Text()}, true
	case engine.AnswerNotDeleted:
		return Choice{Answer: a, Value: string(connector.DeletionNotDeleted), Text: connector.DeletionNotDeleted.Text()}, true
	}
	return Choice{}, false
}

// choiceByValue finds the answer a form sent among a workflow state's.
func choiceByValue(w state.Workflow, value string) (Choice, bool) {
	for _, c := range choices(w) {
		if c.Value == value {
			return c, true
		}
	}
	return Choice{}, false
}

// The admin API's answers beside the engine's, spelled out so a
// renumbering on either side cannot change meaning.
var (
	answersIn = map[adminv1.DirectContactAnswer]engine.Answer{
		adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED:    engine.AnswerFilesUploaded,
		adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_NO_FILES:          engine.AnswerNoFiles,
		adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_DELETED:           engine.AnswerDeleted,
		adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_NOTHING_TO_DELETE: engine.AnswerNothingToDelete,
		adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_NOT_DELETED:       engine.AnswerNotDeleted,
	}
	answersOut = func() map[engine.Answer]adminv1.DirectContactAnswer {
		out := make(map[engine.Answer]adminv1.DirectContactAnswer, len(answersIn))
		for k, v := range answersIn {
			out[v] = k
		}
		return out
	}()
	requestTypesOut = map[sdk.RequestType]adminv1.RequestType{
		sdk.RequestAccess:      adminv1.RequestType_REQUEST_TYPE_ACCESS,
		sdk.RequestDeletion:    adminv1.RequestType_REQUEST_TYPE_DELETION,
		sdk.RequestDoNotSell:   adminv1.RequestType_REQUEST_TYPE_DO_NOT_SELL,
		sdk.RequestDoNotMail:   adminv1.RequestType_REQUEST_TYPE_DO_NOT_MAIL,
		sdk.RequestRightToEdit: adminv1.RequestType_REQUEST_TYPE_RIGHT_TO_EDIT,
	}
	workflowsOut = map[state.Workflow]adminv1.WorkflowState{
		state.Extracting:    adminv1.WorkflowState_WORKFLOW_STATE_EXTRACTING_PERSONAL_DATA,
		state.PendingDelete: adminv1.WorkflowState_WORKFLOW_STATE_PENDING_DELETE,
	}
)
