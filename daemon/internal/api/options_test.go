package api_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/internal/testlog"

	"connectrpc.com/connect"
	"github.com/hashicorp/go-hclog"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
)

// The daemon's mailer is the API's Replier.
var _ api.Replier = (*reply.Mailer)(nil)

// fakeReplier fills the body from a "template" and may fail to send.
type fakeReplier struct {
	sendErr  error
	template string
	sent     *engine.Reply
}

func (f *fakeReplier) Compose(ctx context.Context, r *engine.Request, template string, edited engine.Reply) (engine.Reply, error) {
	f.template = template
	if edited.Body == "" {
		edited.Body = "Template body for " + template
	}
	if edited.Subject == "" {
		edited.Subject = "Template subject"
	}
	return edited, nil
}

func (f *fakeReplier) Send(ctx context.Context, r *engine.Request, rep engine.Reply) error {
	if f.sendErr != nil {
		return f.sendErr
	}
	f.sent = &rep
	return nil
}

// TestReplies checks CloseRequest and RejectRequest compose the reply from
// the right template, send it, then record it; and that when sending fails
// the request is left as it was.
func TestReplies(t *testing.T) {
	var closedWith *engine.Reply
	fe := &apitest.FakeEngine{
		GetFunc: func(ctx context.Context, id string) (*engine.Request, error) {
			r := apitest.SampleRequest()
			r.Stage = state.StageReply
			return r, nil
		},
		CloseFunc: func(ctx context.Context, id, actor string, rep engine.Reply) (*engine.Request, error) {
			closedWith = &rep
			r := apitest.SampleRequest()
			r.Stage = state.StageClosed
			return r, nil
		},
	}
	fr := &fakeReplier{}
	srv := apitest.Start(t, api.Options{Engine: fe, Replier: fr})
	c := newClients(t, srv, protocols[0], apitest.OperatorToken)

	res, err := c.requests.CloseRequest(t.Context(), connect.NewRequest(&adminv1.CloseRequestRequest{
		Id: apitest.SampleID, Reply: &adminv1.Reply{Subject: "Edited subject"}}))
	if err != nil {
		t.Fatal(err)
	}
	if fr.template != "deletion" || fr.sent == nil || fr.sent.Subject != "Edited subject" || fr.sent.Body != "Template body for deletion" {
		t.Errorf("template %q, sent %+v", fr.template, fr.sent)
	}
	if closedWith == nil || *closedWith != *fr.sent {
		t.Errorf("recorded %+v, sent %+v", closedWith, fr.sent)
	}
	if res.Msg.GetReply().GetBody() != "Template body for deletion" {
		t.Errorf("answered reply %v", res.Msg.GetReply())
	}

	// A request in Review cannot be closed; nothing is sent.
	_, err = c.requests.RejectRequest(t.Context(), connect.NewRequest(&adminv1.RejectRequestRequest{Id: apitest.SampleID}))
	wantCode(t, err, connect.CodeFailedPrecondition, "not Review")

	// When sending fails, the request is not closed and the address of
	// the subject is not in the answer.
	fr.sendErr, fr.sent, closedWith = errors.New("550 subject@example.com: no such user"), nil, nil
	_, err = c.requests.CloseRequest(t.Context(), connect.NewRequest(&adminv1.CloseRequestRequest{Id: apitest.SampleID}))
	wantCode(t, err, connect.CodeUnavailable, "left unchanged")
	if strings.Contains(err.Error(), "subject@example.com") {
		t.Errorf("error leaks the address: %v", err)
	}
	if closedWith != nil {
		t.Error("the request was closed although the reply was not sent")
	}
}

// TestRoutes serves an extra handler beside the API, without a token, and
// refuses one that collides with the API.
func TestRoutes(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "answer page") })
	srv := apitest.Start(t, api.Options{Routes: map[string]http.Handler{"/respond/": page}})
	resp, err := apitest.HTTP1Client(t).Get(srv.URL + "/respond/some-token")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "answer page" {
		t.Errorf("GET /respond/: %d %q", resp.StatusCode, body)
	}
	_, err = api.New(api.Options{Engine: &apitest.FakeEngine{}, Tokens: mustTokens(t),
		Routes: map[string]http.Handler{"/" + adminv1connect.RequestServiceName + "/": page}})
	if err == nil {
		t.Error("a route over RequestService was accepted")
	}
}

// TestMessageSizeLimit refuses an admin call larger than MaxRequestBytes
// before decoding it.
func TestMessageSizeLimit(t *testing.T) {
	srv := apitest.Start(t, api.Options{MaxRequestBytes: 1 << 10})
	c := newClients(t, srv, protocols[1], apitest.OperatorToken)
	_, err := c.requests.CreateRequest(t.Context(), connect.NewRequest(&adminv1.CreateRequestRequest{
		Type: adminv1.RequestType_REQUEST_TYPE_ACCESS, Subject: &adminv1.Subject{Email: "subject@example.com"},
		Details: strings.Repeat("x", 4<<10)}))
	wantCode(t, err, connect.CodeResourceExhausted)
}

// TestCallLog checks calls are logged with the procedure and the token's
// name, never with the personal data they carry, nor with tokens.
func TestCallLog(t *testing.T) {
	var logs testlog.Buffer
	srv := apitest.Start(t, api.Options{Logger: hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Debug})})
	c := newClients(t, srv, protocols[0], apitest.OperatorToken)
	if _, err := c.requests.CreateRequest(t.Context(), connect.NewRequest(&adminv1.CreateRequestRequest{
		Type: adminv1.RequestType_REQUEST_TYPE_ACCESS, Subject: &adminv1.Subject{Email: "ada@example.com"}})); err != nil {
		t.Fatal(err)
	}
	_, _ = newClients(t, srv, protocols[0], "wrong-token").requests.GetRequest(t.Context(),
		connect.NewRequest(&adminv1.GetRequestRequest{Id: apitest.SampleID}))
	out := logs.String()
	for _, want := range []string{"procedure=" + adminv1connect.RequestServiceCreateRequestProcedure, "token=" + apitest.OperatorName, "code=ok", "unknown token"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"ada@example.com", apitest.OperatorToken, "wrong-token"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q:\n%s", secret, out)
		}
	}
}
