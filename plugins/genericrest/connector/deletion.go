package connector

import (
	"context"

	"github.com/dsrhost/dsrhost/sdk"
)

// Delete deletes the subject's data. Per record, it sends the deletion
// request once for each record access found and counts them ("# records
// deleted"); whole record, it sends it once for the subject ("Deletion
// done"). With an async block it submits the jobs and answers Pending. The
// same idempotency key twice gets the first answer again, without a second
// round of requests.
func (c *Connector) Delete(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	in, err := c.integration(req.Job.Integration)
	if err != nil {
		return nil, err
	}
	p := in.deletion
	if p == nil {
		return nil, notConfigured("deletion", "delete data")
	}
	if p.perRecord && len(req.Records) == 0 {
		return &sdk.DeleteResponse{}, nil
	}
	v, err := c.jobs.do(jobKey(in, opDelete, req.Job.IdempotencyKey), func() (any, error) {
		if p.perRecord {
			return c.deleteRecords(ctx, in, req)
		}
		return c.deleteWhole(ctx, in, req)
	}, func(any) bool { return true })
	if err != nil {
		return nil, err
	}
	return v.(*sdk.DeleteResponse), nil
}

func (c *Connector) deleteRecords(ctx context.Context, in *integration, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	p := in.deletion
	subject := subjectData(req.Job)
	var done int64
	h := handle{V: 1, Op: opDelete}
	for _, rec := range req.Records {
		fields, _ := parseJSON(rec.Data)
		if _, ok := fields.(map[string]any); !ok {
			fields = map[string]any{}
		}
		sent, ids, err := p.run(ctx, in, with(subject, varRecord, fields, varRecordID, rec.ID))
		if err != nil {
			c.logger.Warn("per-record deletion stopped", "integration", in.name, "deleted", done+h.Done, "submitted", len(h.Jobs), "records", len(req.Records))
			return nil, err
		}
		switch {
		case sent == 0:
			// The steps found nothing of this record to delete.
		case len(ids) > 0:
			h.Jobs = append(h.Jobs, ids...)
		case p.async != nil:
			h.Done++
		default:
			done++
		}
	}
	if p.async != nil && len(h.Jobs) > 0 {
		return &sdk.DeleteResponse{Pending: p.async.pending(h)}, nil
	}
	if p.async != nil {
		done = h.Done
	}
	return &sdk.DeleteResponse{RecordsDeleted: done}, nil
}

// run runs the deletion steps over data and sends the deletion request
// for what they found. It returns how many deletion requests it sent and
// the ids of the jobs they submitted (async; a 404 with not_found_is_deleted
// submits none).
func (p *deletionPlan) run(ctx context.Context, in *integration, data map[string]any) (int, []string, error) {
	data, err := in.runSteps(ctx, p.steps, data, p.notFound)
	if err != nil {
		return 0, nil, err
	}
	calls, err := in.builds(&p.endpoint, data)
	if err != nil {
		return 0, nil, err
	}
	var ids []string
	for _, call := range calls {
		if p.async == nil {
			if _, err := in.expect(ctx, call, p.notFound); err != nil {
				return 0, nil, err
			}
			continue
		}
		id, err := in.submit(ctx, p.async, call, p.notFound)
		if err != nil {
			return 0, nil, err
		}
		if id != "" {
			ids = append(ids, id)
		}
	}
	return len(calls), ids, nil
}

// deleteWhole deletes by identity ("Deletion done"), once per value of a
// value with several.
func (c *Connector) deleteWhole(ctx context.Context, in *integration, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	p := in.deletion
	_, ids, err := p.run(ctx, in, subjectData(req.Job))
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return &sdk.DeleteResponse{WholeRecord: true}, nil
	}
	return &sdk.DeleteResponse{Pending: p.async.pending(handle{V: 1, Op: opDelete, Jobs: ids})}, nil
}

// PollDelete asks for the state of every deletion job still running; it
// answers Pending, with a handle that no longer lists the finished jobs,
// until all are done.
func (c *Connector) PollDelete(ctx context.Context, req *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	in, err := c.integration(req.Job.Integration)
	if err != nil {
		return nil, err
	}
	p := in.deletion
	if p == nil || p.async == nil {
		return nil, notConfigured("deletion.async", "poll a deletion")
	}
	h, err := decodeHandle(req.Handle, opDelete)
	if err != nil {
		return nil, err
	}
	data := subjectData(req.Job)
	running := handle{V: 1, Op: opDelete, Done: h.Done}
	for _, id := range h.Jobs {
		state, _, err := in.status(ctx, p.async, data, id)
		if err != nil {
			return nil, err
		}
		switch {
		case state == jobRunning:
			running.Jobs = append(running.Jobs, id)
		case p.perRecord:
			running.Done++
		}
	}
	if len(running.Jobs) > 0 {
		return &sdk.DeleteResponse{Pending: p.async.pending(running)}, nil
	}
	if !p.perRecord {
		return &sdk.DeleteResponse{WholeRecord: true}, nil
	}
	return &sdk.DeleteResponse{RecordsDeleted: running.Done}, nil
}
