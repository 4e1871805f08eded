package api_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/hashicorp/go-hclog"
)

// crmRemote is a synchronous connector that finds two records and deletes
// what it found.
type crmRemote struct{ deletes atomic.Int64 }

var _ sdk.Remote = (*crmRemote)(nil)

func (c *crmRemote) Describe(context.Context) (*sdk.Description, error) {
	return &sdk.Description{}, nil
}
func (c *crmRemote) Configure(context.Context, *sdk.ConfigureRequest) (*sdk.ConfigureResponse, error) {
	return &sdk.ConfigureResponse{}, nil
}
func (c *crmRemote) Access(ctx context.Context, req *sdk.AccessRequest) (*sdk.AccessResponse, error) {
	return &sdk.AccessResponse{Records: []sdk.Record{
		{ID: "c-1", Kind: "contact", Data: json.RawMessage(`{"plan":"pro"}`)},
		{ID: "c-2", Kind: "ticket", Data: json.RawMessage(`{"subject":"hello"}`)},
	}}, nil
}
func (c *crmRemote) PollAccess(context.Context, *sdk.PollRequest) (*sdk.AccessResponse, error) {
	return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "not implemented")
}
func (c *crmRemote) Delete(ctx context.Context, req *sdk.DeleteRequest) (*sdk.DeleteResponse, error) {
	c.deletes.Add(1)
	return &sdk.DeleteResponse{RecordsDeleted: int64(len(req.Records))}, nil
}
func (c *crmRemote) PollDelete(context.Context, *sdk.PollRequest) (*sdk.DeleteResponse, error) {
	return nil, sdk.Errorf(sdk.ErrorInvalidConfig, "not implemented")
}

var enginePrefix atomic.Int64

// startEngine runs the real engine on a real redis-server with one
// synchronous integration and one manual data source.
func startEngine(t *testing.T) (*engine.Engine, *crmRemote) {
	t.Helper()
	rs := testredis.Start(t)
	secret := make([]byte, seal.KeySize)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	key, err := seal.NewKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := seal.NewKeyRing(key)
	if err != nil {
		t.Fatal(err)
	}
	crm := &crmRemote{}
	cfg := engine.Config{
		Integrations: []engine.IntegrationSpec{{
			Name: "crm", Category: "CRM", Type: sdk.SynchronousAPI,
			Capabilities: []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete},
		}},
		Manual: []engine.ManualSpec{{Name: "paper-archive", Category: "Physical records",
			Instructions: "Shred the file.", RequestTypes: []sdk.RequestType{sdk.RequestDeletion}}},
	}
	prefix := fmt.Sprintf("api%d", enginePrefix.Add(1))
	e, err := engine.New(rs.Client, cfg, engine.ConnectorsFunc(func(name string) (sdk.Remote, bool) {
		return crm, name == "crm"
	}), engine.Options{
		Keys: ring, Prefix: prefix, Queue: prefix,
		Logger:            hclog.New(&hclog.LoggerOptions{Name: t.Name(), Level: hclog.Warn}),
		MinPollInterval:   10 * time.Millisecond,
		SchedulerInterval: 20 * time.Millisecond,
		IdleInterval:      10 * time.Millisecond,
		ReconcileInterval: -1,
		ShutdownTimeout:   2 * time.Second,
	})
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	if err := e.Start(); err != nil {
		t.Fatalf("engine start: %v", err)
	}
	t.Cleanup(e.Shutdown)
	return e, crm
}

// waitFor polls cond until it holds; the deadline is a safety net for a
// broken flow, not a speed requirement.
func waitFor(t *testing.T, desc string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", desc)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWithRealEngine drives a deletion request through the admin API
// against the real engine on a real redis-server: create, list, watch,
// approve, the integration running, the manual task, history with the
// operator's name, export, error codes, and close.
func TestWithRealEngine(t *testing.T) {
	e, crm := startEngine(t)
	srv := apitest.Start(t, api.Options{Engine: e})
	ops := newClients(t, srv, protocols[2], apitest.OperatorToken) // gRPC
	viewer := newClients(t, srv, protocols[0], apitest.ViewerToken)
	ctx := t.Context()

	created, err := ops.requests.CreateRequest(ctx, connect.NewRequest(&adminv1.CreateRequestRequest{
		Type: adminv1.RequestType_REQUEST_TYPE_DELETION, Subject: &adminv1.Subject{Email: "subject@example.com"},
		Details: "Please delete my account."}))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	r := created.Msg.GetRequest()
	id := r.GetId()
	if r.GetStage() != adminv1.Stage_STAGE_REVIEW || r.GetType() != adminv1.RequestType_REQUEST_TYPE_DELETION ||
		r.GetSubject().GetEmail() != "subject@example.com" || r.GetDueAt() == nil {
		t.Fatalf("created %v", r)
	}

	list, err := viewer.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{Stage: adminv1.Stage_STAGE_REVIEW}))
	if err != nil || len(list.Msg.GetRequests()) != 1 || list.Msg.GetRequests()[0].GetId() != id {
		t.Fatalf("list in Review: %v %v", list, err)
	}
	list, err = viewer.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{Stage: adminv1.Stage_STAGE_CLOSED}))
	if err != nil || len(list.Msg.GetRequests()) != 0 {
		t.Fatalf("list Closed: %v %v", list, err)
	}
	list, err = viewer.requests.ListRequests(ctx, connect.NewRequest(&adminv1.ListRequestsRequest{Email: "subject@example.com"}))
	if err != nil || len(list.Msg.GetRequests()) != 1 {
		t.Fatalf("list by email: %v %v", list, err)
	}

	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	watch, err := viewer.requests.WatchRequest(watchCtx, connect.NewRequest(&adminv1.WatchRequestRequest{Id: id}))
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	defer watch.Close()
	if !watch.Receive() || watch.Msg().GetRequest().GetStage() != adminv1.Stage_STAGE_REVIEW {
		t.Fatalf("watch first message: %v %v", watch.Msg(), watch.Err())
	}

	if _, err := ops.requests.ApproveRequest(ctx, connect.NewRequest(&adminv1.ApproveRequestRequest{Id: id})); err != nil {
		t.Fatalf("approve: %v", err)
	}
	sawApprove := false
	for !sawApprove && watch.Receive() {
		ev := watch.Msg().GetEvent()
		sawApprove = ev.GetKind() == engine.EventApprove && ev.GetActor() == apitest.OperatorName
	}
	if !sawApprove {
		t.Fatalf("watch never reported the approval: %v", watch.Err())
	}
	stopWatch()

	get := func() *adminv1.Request {
		res, err := viewer.requests.GetRequest(ctx, connect.NewRequest(&adminv1.GetRequestRequest{Id: id}))
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		return res.Msg.GetRequest()
	}
	waitFor(t, "crm to finish Pending Delete", func() (bool, error) {
		for _, it := range get().GetIntegrations() {
			if it.GetWorkflowState() == adminv1.WorkflowState_WORKFLOW_STATE_PENDING_DELETE && it.GetStatus() == adminv1.IntegrationStatus_INTEGRATION_STATUS_COMPLETE {
				return true, nil
			}
		}
		return false, nil
	})
	var labels []string
	for _, it := range get().GetIntegrations() {
		labels = append(labels, it.GetLabel())
	}
	if fmt.Sprint(labels) != "[Complete 2 records found Complete 2 records deleted]" {
		t.Errorf("labels %q", labels)
	}
	if crm.deletes.Load() != 1 {
		t.Errorf("%d deletes", crm.deletes.Load())
	}

	_, err = ops.integrations.RetryIntegration(ctx, connect.NewRequest(&adminv1.RetryIntegrationRequest{RequestId: id, Name: "crm"}))
	wantCode(t, err, connect.CodeFailedPrecondition)
	_, err = ops.integrations.StopIntegration(ctx, connect.NewRequest(&adminv1.StopIntegrationRequest{RequestId: id, Name: "nope"}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = viewer.requests.GetRequest(ctx, connect.NewRequest(&adminv1.GetRequestRequest{Id: "01ARZ3NDEKTSV4RRFFQ69G5FAV"}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = ops.requests.ApproveRequest(ctx, connect.NewRequest(&adminv1.ApproveRequestRequest{Id: id}))
	wantCode(t, err, connect.CodeFailedPrecondition)

	task, err := ops.integrations.CompleteManualTask(ctx, connect.NewRequest(&adminv1.CompleteManualTaskRequest{RequestId: id, Name: "paper-archive", Note: "Shredded."}))
	if err != nil {
		t.Fatalf("complete manual task: %v", err)
	}
	if !task.Msg.GetTask().GetDone() || task.Msg.GetTask().GetDoneBy() != apitest.OperatorName {
		t.Errorf("task %v", task.Msg.GetTask())
	}
	waitFor(t, "the request to reach Reply", func() (bool, error) { return get().GetStage() == adminv1.Stage_STAGE_REPLY, nil })

	export, err := viewer.requests.ExportResults(ctx, connect.NewRequest(&adminv1.ExportResultsRequest{Id: id}))
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	files := unzip(t, export.Msg.GetArchive())
	var doc struct {
		Records []struct{ ID string } `json:"records"`
	}
	if err := json.Unmarshal(files["integrations/crm.json"], &doc); err != nil || len(doc.Records) != 2 || doc.Records[0].ID != "c-1" {
		t.Errorf("crm.json %s: %v", files["integrations/crm.json"], err)
	}

	closed, err := ops.requests.CloseRequest(ctx, connect.NewRequest(&adminv1.CloseRequestRequest{Id: id,
		Reply: &adminv1.Reply{Subject: "Your deletion request", Body: "Done."}}))
	if err != nil {
		t.Fatalf("close: %v", err)
	}
	if c := closed.Msg.GetRequest(); c.GetStage() != adminv1.Stage_STAGE_CLOSED || c.GetOutcome() != adminv1.Outcome_OUTCOME_COMPLETED {
		t.Errorf("closed %v", c)
	}
	if closed.Msg.GetReply().GetSubject() != "Your deletion request" {
		t.Errorf("reply %v", closed.Msg.GetReply())
	}

	hist, err := viewer.requests.GetRequestHistory(ctx, connect.NewRequest(&adminv1.GetRequestHistoryRequest{Id: id}))
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	actors := map[string]string{}
	for _, ev := range hist.Msg.GetEvents() {
		if _, seen := actors[ev.GetKind()]; !seen {
			actors[ev.GetKind()] = ev.GetActor()
		}
	}
	for _, kind := range []string{engine.EventRequestCreated, engine.EventApprove, engine.EventManualCompleted, engine.EventReplySent} {
		if actors[kind] != apitest.OperatorName {
			t.Errorf("history %s by %q, want %q (history kinds: %v)", kind, actors[kind], apitest.OperatorName, actors)
		}
	}
}
