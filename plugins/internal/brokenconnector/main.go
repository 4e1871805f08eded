// Command brokenconnector is a dsrhost connector plugin that breaks one
// rule of the connector contract, picked with -break, and keeps every
// other. sdktest's own tests run the harness against it to prove that each
// conformance check fails when it should.
//
//	brokenconnector -break describe|shared|leak|idempotency|errorshape|polling
//
// Its Configure never checks that the required token is set: the sdk does
// that from the schema.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"

	"github.com/dsrhost/dsrhost/sdk"
)

// The rules it can break.
const (
	// breakDescribe: a Whole-Record Deletion API that also declares access,
	// an attribute name that is no HCL identifier, a required attribute
	// with a default.
	breakDescribe = "describe"
	// breakShared keeps the token in a package variable, so the last
	// integration configured wins for every integration; Access answers a
	// record named after the token it uses.
	breakShared = "shared"
	// breakLeak fails Access with an error quoting the subject's email and
	// the token.
	breakLeak = "leak"
	// breakIdempotency answers the same job differently each time.
	breakIdempotency = "idempotency"
	// breakErrorShape fails jobs with an error that has no type and no
	// message.
	breakErrorShape = "errorshape"
	// breakPolling answers every poll with pending, forever.
	breakPolling = "polling"
)

var modes = []string{breakDescribe, breakShared, breakLeak, breakIdempotency, breakErrorShape, breakPolling}

// sharedToken is where breakShared keeps the token: one value for the
// whole process, whatever the integration.
var sharedToken string

type connector struct {
	mode  string
	token string

	mu    sync.Mutex
	calls int
}

var (
	_ sdk.AccessPoller = (*connector)(nil)
	_ sdk.DeletePoller = (*connector)(nil)
)

func (c *connector) Describe(context.Context) (*sdk.Description, error) {
	d := &sdk.Description{
		Name:         "brokenconnector",
		Version:      "0.1.0",
		Type:         sdk.SynchronousAPI,
		Capabilities: []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete},
		Settings: sdk.Schema{Attributes: []sdk.Attribute{
			{Name: "token", Type: sdk.TypeString, Required: true, Sensitive: true},
		}},
	}
	switch c.mode {
	case breakDescribe:
		d.Type = sdk.WholeRecordDeletionAPI
		d.Settings.Attributes = []sdk.Attribute{
			{Name: "token", Type: sdk.TypeString, Required: true, Sensitive: true, Default: "x"},
			{Name: "api key", Type: sdk.TypeString},
		}
	case breakPolling:
		d.Type = sdk.AsynchronousAPI
	}
	return d, nil
}

func (c *connector) Configure(_ context.Context, req *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	var s struct {
		Token string `json:"token"`
	}
	if err := req.Settings.Decode(&s); err != nil {
		return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "settings are not an object")
	}
	if c.mode == breakShared {
		sharedToken = s.Token
	}
	c.token = s.Token
	return &sdk.ConfigureResponse{}, nil
}

func (c *connector) Access(_ context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	switch c.mode {
	case breakShared:
		return &sdk.AccessResponse{Records: []sdk.Record{{ID: "record-of-" + sharedToken, Kind: "event"}}}, nil
	case breakLeak:
		return nil, sdk.Errorf(sdk.ErrorNotFound, "no contact %s for token %s", req.Job.Subject.Email, c.token)
	case breakErrorShape:
		return nil, &sdk.Error{}
	case breakPolling:
		return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "forever"}}, nil
	case breakIdempotency:
		c.mu.Lock()
		c.calls++
		n := c.calls
		c.mu.Unlock()
		return &sdk.AccessResponse{Records: []sdk.Record{{ID: "call-" + strconv.Itoa(n), Kind: "event"}}}, nil
	}
	return &sdk.AccessResponse{Records: []sdk.Record{{ID: "r-1", Kind: "event"}}}, nil
}

func (c *connector) PollAccess(context.Context, *sdk.PollRequest) (*sdk.AccessResponse, error) {
	return &sdk.AccessResponse{Pending: &sdk.Pending{Handle: "forever"}}, nil
}

func (c *connector) Delete(_ context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	switch c.mode {
	case breakErrorShape:
		return nil, &sdk.Error{}
	case breakPolling:
		return &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: "forever"}}, nil
	}
	return &sdk.DeleteResponse{RecordsDeleted: int64(len(req.Records))}, nil
}

func (c *connector) PollDelete(context.Context, *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	return &sdk.DeleteResponse{Pending: &sdk.Pending{Handle: "forever"}}, nil
}

func main() {
	mode := flag.String("break", "", fmt.Sprintf("the rule to break: one of %v", modes))
	flag.Parse()
	if !slices.Contains(modes, *mode) {
		fmt.Fprintf(os.Stderr, "[ERROR] brokenconnector: unknown -break %q: want one of %v\n", *mode, modes)
		os.Exit(2)
	}
	sdk.Serve(func() *connector { return &connector{mode: *mode} })
}
