package command

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// printJSON writes msg as the API's JSON (the same names curl sees),
// indented, with a final newline.
func printJSON(w io.Writer, msg proto.Message) error {
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// table writes aligned columns; call flush when done.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	if len(header) > 0 {
		t.row(header...)
	}
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		// Tabs and newlines would break the columns.
		cells[i] = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(c)
		if cells[i] == "" {
			cells[i] = "-"
		}
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() error { return t.tw.Flush() }

// when formats a timestamp for tables, in UTC so that output does not
// depend on the machine.
func when(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return ""
	}
	return ts.AsTime().UTC().Format("2006-01-02 15:04 UTC")
}

// day formats a timestamp as a date.
func day(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return ""
	}
	return ts.AsTime().UTC().Format(time.DateOnly)
}

// The words tables use for the API's enums.
var (
	requestTypeWords = map[adminv1.RequestType]string{
		adminv1.RequestType_REQUEST_TYPE_ACCESS:        "access",
		adminv1.RequestType_REQUEST_TYPE_DELETION:      "deletion",
		adminv1.RequestType_REQUEST_TYPE_DO_NOT_SELL:   "do_not_sell",
		adminv1.RequestType_REQUEST_TYPE_DO_NOT_MAIL:   "do_not_mail",
		adminv1.RequestType_REQUEST_TYPE_RIGHT_TO_EDIT: "right_to_edit",
	}
	stageWords = map[adminv1.Stage]string{
		adminv1.Stage_STAGE_REVIEW:  "Review",
		adminv1.Stage_STAGE_PROCESS: "Process",
		adminv1.Stage_STAGE_REPLY:   "Reply",
		adminv1.Stage_STAGE_CLOSED:  "Closed",
	}
	workflowWords = map[adminv1.WorkflowState]string{
		adminv1.WorkflowState_WORKFLOW_STATE_EXTRACTING_PERSONAL_DATA: "Extracting Personal Data",
		adminv1.WorkflowState_WORKFLOW_STATE_PENDING_DELETE:           "Pending Delete",
	}
	statusWords = map[adminv1.IntegrationStatus]string{
		adminv1.IntegrationStatus_INTEGRATION_STATUS_NOT_STARTED: "not_started",
		adminv1.IntegrationStatus_INTEGRATION_STATUS_PENDING:     "pending",
		adminv1.IntegrationStatus_INTEGRATION_STATUS_PROCESSING:  "processing",
		adminv1.IntegrationStatus_INTEGRATION_STATUS_ERROR:       "error",
		adminv1.IntegrationStatus_INTEGRATION_STATUS_COMPLETE:    "complete",
	}
	integrationTypeWords = map[adminv1.IntegrationType]string{
		adminv1.IntegrationType_INTEGRATION_TYPE_SYNCHRONOUS_API:           "Synchronous API",
		adminv1.IntegrationType_INTEGRATION_TYPE_ASYNCHRONOUS_API:          "Asynchronous API",
		adminv1.IntegrationType_INTEGRATION_TYPE_WHOLE_RECORD_DELETION_API: "Whole-Record Deletion API",
		adminv1.IntegrationType_INTEGRATION_TYPE_DIRECT_CONTACT:            "Direct Contact",
		adminv1.IntegrationType_INTEGRATION_TYPE_MANUAL:                    "Manual",
	}
	outcomeWords = map[adminv1.Outcome]string{
		adminv1.Outcome_OUTCOME_COMPLETED: "completed",
		adminv1.Outcome_OUTCOME_REJECTED:  "rejected",
	}
)

// parseWord finds the enum value a word names, accepting '-' for '_' and
// any case, and lists the choices when it names none.
func parseWord[E comparable](flagName, s string, words map[E]string) (E, error) {
	want := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	var choices []string
	for e, w := range words {
		norm := strings.ReplaceAll(strings.ToLower(w), " ", "_")
		if norm == want {
			return e, nil
		}
		choices = append(choices, norm)
	}
	var zero E
	sortStrings(choices)
	return zero, fmt.Errorf("-%s must be one of %s, not %q", flagName, strings.Join(choices, ", "), s)
}

// stageCell is a request's stage with, in Process, its workflow state.
func stageCell(r *adminv1.Request) string {
	s := stageWords[r.GetStage()]
	switch {
	case r.GetStage() == adminv1.Stage_STAGE_PROCESS && r.GetAwaitingDeletionApproval():
		s += " (awaiting deletion approval)"
	case r.GetStage() == adminv1.Stage_STAGE_PROCESS && r.GetWorkflowState() != adminv1.WorkflowState_WORKFLOW_STATE_UNSPECIFIED:
		s += " (" + workflowWords[r.GetWorkflowState()] + ")"
	case r.GetStage() == adminv1.Stage_STAGE_CLOSED && r.GetOutcome() != adminv1.Outcome_OUTCOME_UNSPECIFIED:
		s += " (" + outcomeWords[r.GetOutcome()] + ")"
	}
	return s
}

// dueCell is a request's due date, flagged when overdue.
func dueCell(r *adminv1.Request) string {
	d := day(r.GetDueAt())
	if r.GetOverdue() {
		d += " (overdue)"
	}
	return d
}

// integrationStateCell is the seed's label plus, for an error, what to do.
func integrationStateCell(it *adminv1.IntegrationState) string {
	s := it.GetLabel()
	if e := it.GetError(); e != nil {
		detail := e.GetType()
		if e.GetStatusCode() != 0 {
			detail += fmt.Sprintf(" %d", e.GetStatusCode())
		}
		s += " (" + detail + ")"
		if e.GetRemediation() != "" {
			s += ": " + e.GetRemediation()
		}
	}
	return s
}

func sortStrings(s []string) { slices.Sort(s) }
