package state

import "fmt"

// Stage is where a request is in its workflow: Review, Process, Reply,
// Closed, in that order.
type Stage int

// The stages.
const (
	StageUnknown Stage = iota
	// StageReview: a new request waits for an operator to continue or reject it.
	StageReview
	// StageProcess: integrations and manual data sources run.
	StageProcess
	// StageReply: every data source is done; the subject is answered.
	StageReply
	// StageClosed: completed or rejected, kept for audit.
	StageClosed
)

var stageNames = map[Stage][2]string{
	StageReview:  {"Review", "review"},
	StageProcess: {"Process", "process"},
	StageReply:   {"Reply", "reply"},
	StageClosed:  {"Closed", "closed"},
}

// String returns the stage as the product documents name it ("Review").
func (s Stage) String() string {
	if n, ok := stageNames[s]; ok {
		return n[0]
	}
	return "Unknown"
}

// Code returns the stable lower-case name used in storage and indexes.
func (s Stage) Code() string {
	if n, ok := stageNames[s]; ok {
		return n[1]
	}
	return "unknown"
}

// ParseStage reads a stage's Code.
func ParseStage(code string) (Stage, error) {
	for s, n := range stageNames {
		if n[1] == code {
			return s, nil
		}
	}
	return StageUnknown, fmt.Errorf("unknown stage %q", code)
}

// Outcome is how a closed request ended.
type Outcome int

// The outcomes.
const (
	OutcomeNone Outcome = iota
	// OutcomeCompleted: the request was processed and answered.
	OutcomeCompleted
	// OutcomeRejected: the request was rejected in Review.
	OutcomeRejected
)

// String returns "completed", "rejected" or "" while the request is open.
func (o Outcome) String() string {
	switch o {
	case OutcomeCompleted:
		return "completed"
	case OutcomeRejected:
		return "rejected"
	}
	return ""
}
