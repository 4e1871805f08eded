package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestRedisOutage stops the real redis-server under a running daemon: the
// API must answer unavailable (not internal), gRPC health must turn
// NOT_SERVING, and the log must not repeat the failure several times a
// second; once redis-server is back, health is SERVING again and calls
// succeed, without touching the daemon.
func TestRedisOutage(t *testing.T) {
	rs := testredis.StartWith(t, "--appendonly", "yes")
	c := newClusterOn(t, fmt.Sprintf("redis {\n  url = \"redis://%s/0\"\n}\n", rs.Addr))
	listen := freeAddr(t)
	d := c.startDaemon(c.config("outage.hcl", listen, "0s"))
	waitLog(t, d, "dsrhost started")

	requests := adminv1connect.NewRequestServiceClient(http.DefaultClient, "http://"+listen)
	list := func() error {
		req := connect.NewRequest(&adminv1.ListRequestsRequest{})
		req.Header().Set("Authorization", "Bearer test")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err := requests.ListRequests(ctx, req)
		return err
	}
	cc, err := grpc.NewClient(listen, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	health := healthpb.NewHealthClient(cc)
	waitHealth := func(want healthpb.HealthCheckResponse_ServingStatus) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			res, err := health.Check(t.Context(), &healthpb.HealthCheckRequest{})
			if err == nil && res.GetStatus() == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("health %v (%v), want %v\n%s", res.GetStatus(), err, want, d.log())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if err := list(); err != nil {
		t.Fatalf("before the outage: %v", err)
	}
	waitHealth(healthpb.HealthCheckResponse_SERVING)

	rs.Stop()
	waitHealth(healthpb.HealthCheckResponse_NOT_SERVING)
	before := len(d.log())
	outage := time.Now()
	for range 20 {
		if err := list(); connect.CodeOf(err) != connect.CodeUnavailable {
			t.Fatalf("during the outage: %v (code %v), want unavailable", err, connect.CodeOf(err))
		}
	}
	time.Sleep(5 * time.Second)
	window := time.Since(outage)
	lines := 0
	for _, line := range strings.Split(d.log()[before:], "\n") {
		// Each call's own debug line is expected; errors and warnings
		// repeated per call or per dial are what flooded the log.
		if line != "" && !strings.Contains(line, "[DEBUG]") && !strings.Contains(line, "[INFO]") {
			lines++
		}
	}
	// Twenty failed calls and the workers' loops over several seconds: a
	// log that repeats each failure would hold dozens of lines.
	if perSecond := float64(lines) / window.Seconds(); perSecond > 1.5 {
		t.Errorf("%d log lines in %v of outage (%.1f/s):\n%s", lines, window.Round(time.Millisecond), perSecond, d.log()[before:])
	}
	t.Logf("outage: %d warning and error lines in %v", lines, window.Round(time.Millisecond))

	rs.Restart(t)
	waitHealth(healthpb.HealthCheckResponse_SERVING)
	deadline := time.Now().Add(time.Minute)
	for err := list(); err != nil; err = list() {
		if time.Now().After(deadline) {
			t.Fatalf("after the outage: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
