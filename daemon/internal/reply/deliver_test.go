package reply

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/examples/mailsink"
)

// oneRequest is a Getter holding one request.
type oneRequest struct{ r *engine.Request }

func (g oneRequest) Get(_ context.Context, id string) (*engine.Request, error) {
	if id != g.r.ID {
		return nil, engine.ErrNotFound
	}
	return g.r, nil
}

// mailerTo is a Mailer sending to a real SMTP server at addr.
func mailerTo(t *testing.T, addr string) *Mailer {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	m, err := New(config.SMTP{Host: host, Port: p, From: "privacy@example.com", TLS: config.SMTPNoTLS}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.timeout = 5 * time.Second
	return m
}

// TestComposeAndSend: the reply is composed, sent over SMTP and returned;
// a request in another stage, or a mail server that is down, sends nothing
// and says so without quoting the subject's address.
func TestComposeAndSend(t *testing.T) {
	sent := make(chan mailsink.Email, 4)
	sink, err := mailsink.Start("127.0.0.1:0", func(e mailsink.Email) { sent <- e })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	// A port nobody listens on is a mail server that is down.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	down := l.Addr().String()
	l.Close()

	r := request()
	r.Stage = state.StageReply
	g := oneRequest{r}
	tests := []struct {
		name   string
		sender Sender
		want   state.Stage
		edited engine.Reply
		check  func(t *testing.T, out engine.Reply, err error)
		mailed bool
	}{
		{"composed and sent", mailerTo(t, sink.Addr), state.StageReply, engine.Reply{Body: "Done."}, func(t *testing.T, out engine.Reply, err error) {
			if err != nil || out.Subject != "Your data deletion request" || out.Body != "Done." {
				t.Errorf("got %+v, %v", out, err)
			}
		}, true},
		{"wrong stage", mailerTo(t, sink.Addr), state.StageReview, engine.Reply{}, func(t *testing.T, _ engine.Reply, err error) {
			if !errors.Is(err, engine.ErrFailedPrecondition) {
				t.Errorf("err = %v, want failed precondition", err)
			}
		}, false},
		{"mail server down", mailerTo(t, down), state.StageReply, engine.Reply{}, func(t *testing.T, _ engine.Reply, err error) {
			var se *SendError
			if !errors.As(err, &se) || errors.Unwrap(err) == nil {
				t.Fatalf("err = %v, want a SendError with its cause", err)
			}
			if strings.Contains(err.Error(), r.Subject.Email) || !strings.Contains(err.Error(), "left unchanged") {
				t.Errorf("message %q", err.Error())
			}
		}, false},
		{"no sender: recorded as given", nil, state.StageReply, engine.Reply{Subject: "S", Body: "B"}, func(t *testing.T, out engine.Reply, err error) {
			if err != nil || out != (engine.Reply{Subject: "S", Body: "B"}) {
				t.Errorf("got %+v, %v", out, err)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := ComposeAndSend(context.Background(), g, tt.sender, r.ID, "", tt.edited, tt.want)
			tt.check(t, out, err)
			wait := 500 * time.Millisecond
			if tt.mailed {
				wait = 10 * time.Second
			}
			select {
			case e := <-sent:
				if !tt.mailed {
					t.Errorf("mailed %+v", e)
				}
			case <-time.After(wait):
				if tt.mailed {
					t.Error("nothing mailed")
				}
			}
		})
	}
}
