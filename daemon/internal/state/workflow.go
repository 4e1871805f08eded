package state

import "fmt"

// Workflow is one of the two workflow states inside the Process stage in
// which integrations run.
type Workflow int

// The workflow states. WorkflowNone is a request outside Process, or one
// whose type has only manual data sources.
const (
	WorkflowNone Workflow = iota
	// Extracting: integrations query their systems for the subject's data.
	Extracting
	// PendingDelete: selected integrations delete or anonymise it.
	PendingDelete
)

// String returns the workflow state as the product documents name it.
func (w Workflow) String() string {
	switch w {
	case Extracting:
		return "Extracting Personal Data"
	case PendingDelete:
		return "Pending Delete"
	}
	return ""
}

// Code returns the stable name used in storage keys and job ids.
func (w Workflow) Code() string {
	switch w {
	case Extracting:
		return "extracting"
	case PendingDelete:
		return "pending_delete"
	}
	return "none"
}

// ParseWorkflow reads a workflow state's Code.
func ParseWorkflow(code string) (Workflow, error) {
	switch code {
	case "extracting":
		return Extracting, nil
	case "pending_delete":
		return PendingDelete, nil
	case "none", "":
		return WorkflowNone, nil
	}
	return WorkflowNone, fmt.Errorf("unknown workflow state %q", code)
}
