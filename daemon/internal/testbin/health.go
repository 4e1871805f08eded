package testbin

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// WaitServing polls a daemon's gRPC health check, through Connect's JSON
// protocol as any HTTP client can, until it answers SERVING. It fails the
// test after a minute, printing what log returns: start-up on a loaded machine takes
// seconds, and a fixed sleep either flakes or wastes them.
func WaitServing(t testing.TB, addr string, log func() string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Post("http://"+addr+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader("{}"))
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if strings.Contains(string(b), "SERVING_STATUS_SERVING") {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("daemon at %s not healthy within a minute; log:\n%s", addr, log())
}
