package sdk

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	connectorv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/connector/v1"
)

// grpcClient is the host's Remote: every failure it returns is an *Error,
// whether the connector answered with one or the call never got an answer.
type grpcClient struct {
	client connectorv1.ConnectorServiceClient
}

var _ Remote = (*grpcClient)(nil)

func (c *grpcClient) Describe(ctx context.Context) (*Description, error) {
	resp, err := c.client.Describe(ctx, &connectorv1.DescribeRequest{})
	if err != nil {
		return nil, callError(ctx, "describe", err)
	}
	d, err := descriptionFromProto(resp)
	if err != nil {
		return nil, Errorf(ErrorInvalidConfig, "connector description: %s", err.Error()).
			WithRemediation("The plugin's settings schema is broken; report it to the plugin's author.")
	}
	return d, nil
}

func (c *grpcClient) Configure(ctx context.Context, req *ConfigureRequest) (*ConfigureResponse, error) {
	if req == nil {
		return nil, Errorf(ErrorInternal, "configure: nil request")
	}
	resp, err := c.client.Configure(ctx, configureRequestToProto(req))
	if err != nil {
		return nil, callError(ctx, "configure", err)
	}
	return configureResponseFromProto(resp), nil
}

func (c *grpcClient) Access(ctx context.Context, req *AccessRequest) (*AccessResponse, error) {
	if req == nil {
		return nil, Errorf(ErrorInternal, "access: nil request")
	}
	resp, err := c.client.Access(ctx, &connectorv1.AccessRequest{Job: jobToProto(req.Job)})
	if err != nil {
		return nil, callError(ctx, "access", err)
	}
	return accessFromOutcome(resp.GetResult(), resp.GetPending(), resp.GetError())
}

func (c *grpcClient) PollAccess(ctx context.Context, req *PollRequest) (*AccessResponse, error) {
	if req == nil {
		return nil, Errorf(ErrorInternal, "poll access: nil request")
	}
	resp, err := c.client.PollAccess(ctx, &connectorv1.PollAccessRequest{Job: jobToProto(req.Job), Handle: req.Handle})
	if err != nil {
		return nil, callError(ctx, "poll access", err)
	}
	return accessFromOutcome(resp.GetResult(), resp.GetPending(), resp.GetError())
}

func (c *grpcClient) Delete(ctx context.Context, req *DeleteRequest) (*DeleteResponse, error) {
	if req == nil {
		return nil, Errorf(ErrorInternal, "delete: nil request")
	}
	resp, err := c.client.Delete(ctx, &connectorv1.DeleteRequest{Job: jobToProto(req.Job), Records: recordsToProto(req.Records)})
	if err != nil {
		return nil, callError(ctx, "delete", err)
	}
	return deleteFromOutcome(resp.GetResult(), resp.GetPending(), resp.GetError())
}

func (c *grpcClient) PollDelete(ctx context.Context, req *PollRequest) (*DeleteResponse, error) {
	if req == nil {
		return nil, Errorf(ErrorInternal, "poll delete: nil request")
	}
	resp, err := c.client.PollDelete(ctx, &connectorv1.PollDeleteRequest{Job: jobToProto(req.Job), Handle: req.Handle})
	if err != nil {
		return nil, callError(ctx, "poll delete", err)
	}
	return deleteFromOutcome(resp.GetResult(), resp.GetPending(), resp.GetError())
}

// callError classifies a call that got no answer in the response body.
// A connector's own *Error (Describe carries it in the status details)
// comes back as sent; a dead or unreachable plugin process becomes
// plugin_crashed, which the daemon retries after restarting the plugin.
func callError(ctx context.Context, method string, err error) *Error {
	st, _ := status.FromError(err)
	for _, d := range st.Details() {
		if pe, ok := d.(*connectorv1.Error); ok {
			return errorFromProto(pe)
		}
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || st.Code() == codes.DeadlineExceeded:
		return Errorf(ErrorTimeout, "connector did not answer %s in time", method).
			WithRemediation("The third party may be slow; the call is retried. Raise the timeout if it keeps happening.")
	case errors.Is(ctx.Err(), context.Canceled):
		// The host gave up on the call (shutdown, stop): nothing crashed.
		e := Errorf(ErrorInternal, "%s canceled by the host before the connector answered", method)
		e.Retryable = true
		return e
	case st.Code() == codes.Unavailable || st.Code() == codes.Canceled || errors.Is(err, io.EOF):
		return Errorf(ErrorPluginCrashed, "connector plugin stopped during %s: %s", method, st.Message()).
			WithRemediation("The plugin is restarted and the job retried; see the plugin's log if it keeps happening.")
	case st.Code() == codes.Unimplemented:
		return Errorf(ErrorInvalidConfig, "connector plugin does not implement %s: %s", method, st.Message()).
			WithRemediation("Upgrade the plugin to one built with a current dsrhost sdk.")
	}
	return Errorf(ErrorInternal, "connector call %s failed (%s): %s", method, st.Code(), st.Message())
}
