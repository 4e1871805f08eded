package connector

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// pollAfter is the poll interval suggested to the daemon: Heap takes hours
// to days to finish a deletion, so polling more often only spends rate limit.
const pollAfter = time.Hour

// Delete submits the subject to Heap's User Deletion API and answers Pending
// with Heap's deletion request id as the handle. A job delivered again with
// the same idempotency key answers the same handle without a second
// submission.
func (h *Heap) Delete(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	c, err := h.configured()
	if err != nil {
		return nil, err
	}
	users, err := usersFor(req.Job.Subject, c.s)
	if err != nil {
		return nil, err
	}
	id, err := h.submitted.do(req.Job.IdempotencyKey, func() (string, error) {
		return c.submitDeletion(ctx, users)
	})
	if err != nil {
		return nil, sdk.AsError(err)
	}
	return &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: id, PollAfter: pollAfter}}, nil
}

// PollDelete asks Heap how a submitted deletion request is doing: "pending"
// answers Pending again, "complete" a whole-record deletion ("Deletion
// done").
func (h *Heap) PollDelete(ctx context.Context, req *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	c, err := h.configured()
	if err != nil {
		return nil, err
	}
	if req.Handle == "" {
		return nil, sdk.Errorf(sdk.ErrorInternal, "no Heap deletion request id to poll")
	}
	status, err := c.deletionStatus(ctx, req.Handle)
	if err != nil {
		return nil, sdk.AsError(err)
	}
	switch status {
	case "pending":
		return &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: req.Handle, PollAfter: pollAfter}}, nil
	case "complete":
		return &sdk.DeleteResponse{WholeRecord: true}, nil
	default:
		return nil, malformedError("deletion_status", 200)
	}
}

// submitDeletion posts the users and returns the deletion request id.
func (c *client) submitDeletion(ctx context.Context, users []heapUser) (string, error) {
	const endpoint = "user_deletion"
	body, err := json.Marshal(deletionBody{Users: users})
	if err != nil {
		return "", sdk.Errorf(sdk.ErrorInternal, "encode Heap %s body: %v", endpoint, err)
	}
	var answer struct {
		DeletionRequestID string `json:"deletion_request_id"`
	}
	if err := c.call(ctx, endpoint, "POST", pathUserDeletion, body, &answer); err != nil {
		return "", err
	}
	if answer.DeletionRequestID == "" {
		return "", malformedError(endpoint, 200)
	}
	c.log.Info("submitted a Heap deletion request", "deletion_request_id", answer.DeletionRequestID, "users", len(users))
	return answer.DeletionRequestID, nil
}

// deletionStatus returns Heap's status of a deletion request, lower case.
func (c *client) deletionStatus(ctx context.Context, id string) (string, error) {
	const endpoint = "deletion_status"
	var answer struct {
		Status string `json:"status"`
	}
	if err := c.call(ctx, endpoint, "GET", pathDeletionStatus+url.PathEscape(id), nil, &answer); err != nil {
		return "", err
	}
	return strings.ToLower(strings.TrimSpace(answer.Status)), nil
}
