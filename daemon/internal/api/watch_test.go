package api_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/daemon/internal/auth"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

func mustTokens(t testing.TB) *auth.Tokens {
	t.Helper()
	tokens, err := auth.NewTokens(apitest.Tokens())
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

// watchFake is an engine whose history events the test sends by hand.
func watchFake() (*apitest.FakeEngine, chan engine.Event, *state.Stage) {
	events := make(chan engine.Event)
	stage := state.StageProcess
	fe := &apitest.FakeEngine{
		WatchFunc: func(ctx context.Context, id, after string) (<-chan engine.Event, error) {
			out := make(chan engine.Event)
			go func() {
				defer close(out)
				for {
					select {
					case ev := <-events:
						select {
						case out <- ev:
						case <-ctx.Done():
							return
						}
					case <-ctx.Done():
						return
					}
				}
			}()
			return out, nil
		},
		GetFunc: func(ctx context.Context, id string) (*engine.Request, error) {
			r := apitest.SampleRequest()
			r.Stage = stage
			return r, nil
		},
	}
	return fe, events, &stage
}

// TestWatchRequest follows a request over each protocol: its state first,
// then the state after each change with the event that made it; and it
// outlives the server's write timeout, which would otherwise cut it.
func TestWatchRequest(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			fe, events, stage := watchFake()
			srv := apitest.Start(t, api.Options{Engine: fe, WriteTimeout: 50 * time.Millisecond, ReadTimeout: 50 * time.Millisecond})
			c := newClients(t, srv, p, apitest.ViewerToken)
			// A safety net so a cut stream fails the test instead of
			// hanging it; nothing is timed.
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			stream, err := c.requests.WatchRequest(ctx, connect.NewRequest(&adminv1.WatchRequestRequest{Id: apitest.SampleID}))
			if err != nil {
				t.Fatal(err)
			}
			defer stream.Close()
			if !stream.Receive() {
				t.Fatalf("first message: %v", stream.Err())
			}
			if m := stream.Msg(); m.GetRequest().GetStage() != adminv1.Stage_STAGE_PROCESS || m.GetEvent() != nil {
				t.Fatalf("first message %v", m)
			}
			// Longer than the write timeout: the stream must still be open.
			time.Sleep(200 * time.Millisecond)
			*stage = state.StageReply
			select {
			case events <- engine.Event{ID: "9-0", Kind: engine.EventStageChanged, Actor: "system", Message: "Reply"}:
			case <-ctx.Done():
				t.Fatal("the server stopped watching")
			}
			if !stream.Receive() {
				t.Fatalf("second message: %v", stream.Err())
			}
			m := stream.Msg()
			if m.GetRequest().GetStage() != adminv1.Stage_STAGE_REPLY || m.GetEvent().GetId() != "9-0" || m.GetEvent().GetKind() != engine.EventStageChanged {
				t.Errorf("second message %v", m)
			}
		})
	}
}

// TestWatchEndsOnShutdown checks Shutdown does not wait for watchers: their
// streams end with unavailable, so clients reconnect.
func TestWatchEndsOnShutdown(t *testing.T) {
	fe, _, _ := watchFake()
	srv := apitest.Start(t, api.Options{Engine: fe})
	c := newClients(t, srv, protocols[1], apitest.ViewerToken)
	stream, err := c.requests.WatchRequest(t.Context(), connect.NewRequest(&adminv1.WatchRequestRequest{Id: apitest.SampleID}))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if !stream.Receive() {
		t.Fatalf("first message: %v", stream.Err())
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := srv.Server.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a watcher: %v", err)
	}
	if stream.Receive() {
		t.Fatalf("message after shutdown: %v", stream.Msg())
	}
	wantCode(t, stream.Err(), connect.CodeUnavailable, "shutting down")
}
