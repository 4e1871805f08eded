package respond_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/dsrhost/dsrhost/daemon/internal/respond/linktoken"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"github.com/dsrhost/dsrhost/sdk"
)

// TestDirectContactService answers through the Connect API, as tooling
// does, with the token from the emailed link.
func TestDirectContactService(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	e := w.env(t, envOptions{limits: limits(2, 1024, 1536)})
	client := adminv1connect.NewDirectContactServiceClient(http.DefaultClient, e.srv.URL)
	tokenOf := func(link string) string {
		_, tok, _ := strings.Cut(link, linktoken.Path)
		return tok
	}
	code := func(err error) connect.Code {
		var ce *connect.Error
		if errors.As(err, &ce) {
			return ce.Code()
		}
		return 0
	}

	t.Run("access", func(t *testing.T) {
		id := e.request(sdk.RequestAccess)
		tok := tokenOf(e.link(id))
		task, err := client.GetTask(ctx, connect.NewRequest(&adminv1.GetTaskRequest{Token: tok}))
		if err != nil {
			t.Fatalf("GetTask: %v", err)
		}
		due := e.state(id, state.Extracting).DueAt
		want := &adminv1.GetTaskResponse{
			RequestType:   adminv1.RequestType_REQUEST_TYPE_ACCESS,
			WorkflowState: adminv1.WorkflowState_WORKFLOW_STATE_EXTRACTING_PERSONAL_DATA,
			Subject:       &adminv1.Subject{Email: subject.Email, Phone: subject.Phone, UserId: subject.UserID, Identifiers: subject.Identifiers},
			Integration:   e.integration,
			Answers: []adminv1.DirectContactAnswer{adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED,
				adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_NO_FILES},
		}
		if !task.Msg.GetDueAt().AsTime().Equal(due) {
			t.Errorf("due %v, want %v", task.Msg.GetDueAt().AsTime(), due)
		}
		task.Msg.DueAt = nil
		if diff := cmp.Diff(want, task.Msg, protocmp.Transform()); diff != "" {
			t.Errorf("GetTask (-want +got):\n%s", diff)
		}

		file := func(n int) *adminv1.UploadedFile {
			return &adminv1.UploadedFile{Name: "export.csv", ContentType: "text/csv", Content: make([]byte, n)}
		}
		for _, tc := range []struct {
			name  string
			req   *adminv1.SubmitResponseRequest
			code  connect.Code
			field string
		}{
			{"a deletion answer", &adminv1.SubmitResponseRequest{Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_DELETED},
				connect.CodeInvalidArgument, "answer: "},
			{"no answer", &adminv1.SubmitResponseRequest{}, connect.CodeInvalidArgument, "answer: "},
			{"files with no data", &adminv1.SubmitResponseRequest{Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_NO_FILES,
				Files: []*adminv1.UploadedFile{file(1)}}, connect.CodeInvalidArgument, "files: "},
			{"too many files", &adminv1.SubmitResponseRequest{Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED,
				Files: []*adminv1.UploadedFile{file(1), file(1), file(1)}}, connect.CodeResourceExhausted, "files: "},
			{"a file too large", &adminv1.SubmitResponseRequest{Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED,
				Files: []*adminv1.UploadedFile{file(1025)}}, connect.CodeResourceExhausted, "files: "},
			{"too large together", &adminv1.SubmitResponseRequest{Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED,
				Files: []*adminv1.UploadedFile{file(1000), file(1000)}}, connect.CodeResourceExhausted, "files: "},
			{"a long note", &adminv1.SubmitResponseRequest{Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_NO_FILES,
				Note: strings.Repeat("n", 2001)}, connect.CodeInvalidArgument, "note: "},
		} {
			tc.req.Token = tok
			_, err := client.SubmitResponse(ctx, connect.NewRequest(tc.req))
			if code(err) != tc.code || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("%s: %v, want %s naming %q", tc.name, err, tc.code, tc.field)
			}
		}

		resp, err := client.SubmitResponse(ctx, connect.NewRequest(&adminv1.SubmitResponseRequest{Token: tok,
			Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_FILES_UPLOADED, Files: []*adminv1.UploadedFile{file(10)},
			Note: "One export."}))
		if err != nil {
			t.Fatalf("SubmitResponse: %v", err)
		}
		if resp.Msg.GetLabel() != "Complete 1 of files uploaded" {
			t.Errorf("label %q", resp.Msg.GetLabel())
		}

		// Used: refused with a plain explanation.
		_, err = client.SubmitResponse(ctx, connect.NewRequest(&adminv1.SubmitResponseRequest{Token: tok,
			Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_NO_FILES}))
		if code(err) != connect.CodePermissionDenied || !strings.Contains(err.Error(), "already been used") {
			t.Errorf("reuse: %v", err)
		}
		if _, err := client.GetTask(ctx, connect.NewRequest(&adminv1.GetTaskRequest{Token: tok})); code(err) != connect.CodePermissionDenied {
			t.Errorf("GetTask after use: %v", err)
		}
	})

	t.Run("deletion", func(t *testing.T) {
		id := e.request(sdk.RequestDeletion)
		tok := tokenOf(e.link(id))
		resp, err := client.SubmitResponse(ctx, connect.NewRequest(&adminv1.SubmitResponseRequest{Token: tok,
			Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_NOT_DELETED}))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Msg.GetLabel() != "Complete Data found, not deleted" {
			t.Errorf("label %q", resp.Msg.GetLabel())
		}
	})

	t.Run("forged and expired", func(t *testing.T) {
		id := e.request(sdk.RequestDeletion)
		tok := tokenOf(e.link(id))
		for _, bad := range []string{flip(tok), "x", tok + "x"} {
			_, err := client.GetTask(ctx, connect.NewRequest(&adminv1.GetTaskRequest{Token: bad}))
			if code(err) != connect.CodePermissionDenied || !strings.Contains(err.Error(), "This link is not valid.") {
				t.Errorf("forged GetTask: %v", err)
			}
			_, err = client.SubmitResponse(ctx, connect.NewRequest(&adminv1.SubmitResponseRequest{Token: bad,
				Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_DELETED}))
			if code(err) != connect.CodePermissionDenied {
				t.Errorf("forged SubmitResponse: %v", err)
			}
		}
		e.clock.Advance(30 * day)
		_, err := client.SubmitResponse(ctx, connect.NewRequest(&adminv1.SubmitResponseRequest{Token: tok,
			Answer: adminv1.DirectContactAnswer_DIRECT_CONTACT_ANSWER_DELETED}))
		if code(err) != connect.CodePermissionDenied || !strings.Contains(err.Error(), "This link has expired.") {
			t.Errorf("expired: %v", err)
		}
		if got := e.state(id, state.PendingDelete).Status; got != state.Processing {
			t.Errorf("status %s after refused answers", got)
		}
	})
}
