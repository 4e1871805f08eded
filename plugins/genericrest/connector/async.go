package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/dsrhost/dsrhost/sdk"
)

// handle is what a Pending answer carries between polls: the third party's
// job ids, nothing personal.
type handle struct {
	V int `json:"v"`
	// Op is "access" or "delete", so a handle cannot be polled as the other.
	Op   string   `json:"op"`
	Jobs []string `json:"jobs"`
	// Done counts records deleted with no job left to wait for: jobs
	// finished at an earlier poll, and records whose deletion answered 404
	// with not_found_is_deleted set.
	Done int64 `json:"done,omitempty"`
}

const (
	opAccess = "access"
	opDelete = "delete"
)

func (h handle) encode() string {
	b, _ := json.Marshal(h) // strings and ints always encode
	return string(b)
}

func decodeHandle(s, op string) (handle, error) {
	var h handle
	if err := json.Unmarshal([]byte(s), &h); err != nil || h.V != 1 || h.Op != op {
		return handle{}, sdk.Errorf(sdk.ErrorInternal, "the poll handle is not one this connector gave for %s", op).
			WithRemediation("Retry the integration: it submits the job again.")
	}
	return h, nil
}

func (a *asyncPlan) pending(h handle) *sdk.Pending {
	return &sdk.Pending{Handle: h.encode(), PollAfter: a.pollAfter}
}

// submit sends c, which starts a job, and returns the job's id. With
// allow404 a 404 answer returns no id and no error: nothing to wait for.
func (in *integration) submit(ctx context.Context, a *asyncPlan, c *call, allow404 bool) (string, error) {
	resp, err := in.expect(ctx, c, allow404)
	if err != nil {
		return "", err
	}
	if resp.status == http.StatusNotFound {
		return "", nil
	}
	doc, err := resp.json(c.ep)
	if err != nil {
		return "", err
	}
	id := scalarString(first(a.jobID, doc))
	if id == "" {
		return "", sdk.Errorf(sdk.ErrorInvalidConfig, "%s answered without a job id at settings.%s.async.job_id_path", c.ep.label(), c.ep.setting).
			WithRemediation(fmt.Sprintf("Check settings.%s.async.job_id_path against the API's answer.", c.ep.setting))
	}
	return id, nil
}

// jobState is where a third-party job stands.
type jobState int

const (
	jobRunning jobState = iota
	jobDone
	jobFailed
)

// status asks for one job's state. It also returns the status answer, from
// which access reads the records when there is no result request.
func (in *integration) status(ctx context.Context, a *asyncPlan, data map[string]any, jobID string) (jobState, any, error) {
	c, err := in.build(a.status, with(data, varJobID, jobID))
	if err != nil {
		return jobRunning, nil, err
	}
	resp, err := in.expect(ctx, c, false)
	if err != nil {
		return jobRunning, nil, err
	}
	doc, err := resp.json(c.ep)
	if err != nil {
		return jobRunning, nil, err
	}
	state := scalarString(first(a.state, doc))
	switch {
	case slices.Contains(a.done, state):
		return jobDone, doc, nil
	case slices.Contains(a.failed, state):
		// Not transient: polling again would read the same state until
		// max_wait. The attempt fails now; a retry submits the job again.
		return jobFailed, doc, sdk.Errorf(sdk.ErrorInternal, "the API reports the job as %q (%s)", state, a.status.label()).
			WithRemediation("The third party could not finish the job; retrying the integration submits it again. If it keeps failing, ask the third party why.")
	}
	return jobRunning, doc, nil
}
