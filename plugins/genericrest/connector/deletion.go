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
		call, err := in.build(&p.endpoint, with(subject, varRecord, fields, varRecordID, rec.ID))
		if err != nil {
			return nil, err
		}
		if p.async != nil {
			id, err := in.submit(ctx, p.async, call, p.notFound)
			if err != nil {
				c.logger.Warn("per-record deletion stopped", "integration", in.name, "submitted", len(h.Jobs), "records", len(req.Records))
				return nil, err
			}
			if id == "" {
				h.Done++
			} else {
				h.Jobs = append(h.Jobs, id)
			}
			continue
		}
		if _, err := in.expect(ctx, call, p.notFound); err != nil {
			c.logger.Warn("per-record deletion stopped", "integration", in.name, "deleted", done, "records", len(req.Records))
			return nil, err
		}
		done++
	}
	if p.async != nil && len(h.Jobs) > 0 {
		return &sdk.DeleteResponse{Pending: p.async.pending(h)}, nil
	}
	if p.async != nil {
		done = h.Done
	}
	return &sdk.DeleteResponse{RecordsDeleted: done}, nil
}

func (c *Connector) deleteWhole(ctx context.Context, in *integration, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	p := in.deletion
	call, err := in.build(&p.endpoint, subjectData(req.Job))
	if err != nil {
		return nil, err
	}
	if p.async == nil {
		if _, err := in.expect(ctx, call, p.notFound); err != nil {
			return nil, err
		}
		return &sdk.DeleteResponse{WholeRecord: true}, nil
	}
	id, err := in.submit(ctx, p.async, call, p.notFound)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return &sdk.DeleteResponse{WholeRecord: true}, nil
	}
	return &sdk.DeleteResponse{Pending: p.async.pending(handle{V: 1, Op: opDelete, Jobs: []string{id}})}, nil
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
		if state == jobRunning {
			running.Jobs = append(running.Jobs, id)
		} else {
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
