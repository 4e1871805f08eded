package connector

import (
	"context"

	"github.com/dsrhost/dsrhost/sdk"
)

// Access finds the subject's records: it sends the access request and
// follows its pages, or, with an async block, submits the export and
// answers Pending. The same idempotency key twice returns the same Pending
// without submitting again.
func (c *Connector) Access(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	in, err := c.integration(req.Job.Integration)
	if err != nil {
		return nil, err
	}
	p := in.access
	if p == nil {
		e := notConfigured("access", "look up data")
		if in.deletion != nil && !in.deletion.perRecord {
			// Describe cannot say that this integration is whole-record
			// only, so the daemon may ask it to extract first.
			e.Remediation = "This integration deletes by identity only (deletion.mode = \"whole_record\", no access block): skip its Extracting Personal Data step, or add an access block so it can look data up."
		}
		return nil, e
	}
	if p.async == nil {
		calls, err := p.calls(ctx, in, req.Job)
		if err != nil {
			return nil, err
		}
		var found []any
		for _, call := range calls {
			more, err := in.fetchRecords(ctx, call, p.records, p.pages, p.notFound)
			if err != nil {
				return nil, err
			}
			found = append(found, more...)
		}
		return p.result(found), nil
	}
	v, err := c.jobs.do(jobKey(in, opAccess, req.Job.IdempotencyKey), func() (any, error) {
		calls, err := p.calls(ctx, in, req.Job)
		if err != nil {
			return nil, err
		}
		h := handle{V: 1, Op: opAccess}
		for _, call := range calls {
			id, err := in.submit(ctx, p.async, call, false)
			if err != nil {
				return nil, err
			}
			h.Jobs = append(h.Jobs, id)
		}
		if len(h.Jobs) == 0 {
			return &sdk.AccessResponse{}, nil // the steps found nothing to export
		}
		c.logger.Debug("export submitted", "integration", in.name, "endpoint", p.label(), "jobs", len(h.Jobs))
		return &sdk.AccessResponse{Pending: p.async.pending(h)}, nil
	}, func(any) bool { return true })
	if err != nil {
		return nil, err
	}
	return v.(*sdk.AccessResponse), nil
}

// PollAccess asks for the export's state; once it is done it fetches the
// records with the result request (paged), or reads them from the status
// answer when there is none.
func (c *Connector) PollAccess(ctx context.Context, req *sdk.PollRequest) (*sdk.AccessResponse, error) {
	in, err := c.integration(req.Job.Integration)
	if err != nil {
		return nil, err
	}
	p := in.access
	if p == nil || p.async == nil {
		return nil, notConfigured("access.async", "poll an export")
	}
	h, err := decodeHandle(req.Handle, opAccess)
	if err != nil {
		return nil, err
	}
	data := subjectData(req.Job)
	var found []any
	for _, id := range h.Jobs {
		state, doc, err := in.status(ctx, p.async, data, id)
		if err != nil {
			return nil, err
		}
		if state == jobRunning {
			return &sdk.AccessResponse{Pending: p.async.pending(h)}, nil
		}
		if p.async.result == nil {
			found = append(found, records(p.records, doc)...)
			continue
		}
		call, err := in.build(p.async.result, with(data, varJobID, id))
		if err != nil {
			return nil, err
		}
		more, err := in.fetchRecords(ctx, call, p.records, p.pages, false)
		if err != nil {
			return nil, err
		}
		found = append(found, more...)
	}
	return p.result(found), nil
}

// calls runs the access steps and renders the access request for what
// they found: once, once per value of a value with several, or not at all.
func (p *accessPlan) calls(ctx context.Context, in *integration, job sdk.Job) ([]*call, error) {
	data, err := in.runSteps(ctx, p.steps, subjectData(job), p.notFound)
	if err != nil {
		return nil, err
	}
	return in.builds(&p.endpoint, data)
}

// result turns what records_path found into the answer: records with their
// ids and kind, and the identifiers to pass on.
func (p *accessPlan) result(found []any) *sdk.AccessResponse {
	resp := &sdk.AccessResponse{}
	for _, v := range found {
		if _, ok := v.(map[string]any); !ok {
			v = map[string]any{"value": v}
		}
		data, err := encodeRecord(v)
		if err != nil {
			continue // parsed JSON always encodes once made finite
		}
		resp.Records = append(resp.Records, sdk.Record{ID: scalarString(first(p.id, v)), Kind: p.kind, Data: data})
	}
	// Every value found is passed on, not the first record's only: a
	// dependent integration sends its requests once per value.
	for _, ip := range p.identifiers {
		var values []string
		for _, v := range found {
			values = append(values, scalars(ip.path.Get(v))...)
		}
		if s := sdk.JoinIdentifierValues(values); s != "" {
			if resp.Identifiers == nil {
				resp.Identifiers = map[string]string{}
			}
			resp.Identifiers[ip.name] = s
		}
	}
	return resp
}

func jobKey(in *integration, op, key string) string {
	if key == "" {
		return ""
	}
	return in.name + "\x00" + op + "\x00" + key
}
