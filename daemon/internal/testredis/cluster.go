package testredis

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster is a three-master Redis Cluster without replicas.
type Cluster struct {
	// Addrs are the masters' host:port.
	Addrs []string
	// Client is a cluster client over all masters, closed at cleanup.
	Client *redis.ClusterClient
	// Nodes are the server processes.
	Nodes []*Server
}

// StartCluster runs three redis-server processes with cluster mode on,
// joins them with `redis-cli --cluster create`, and returns once every node
// reports cluster_state:ok.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bin, cli := binaries(t)
	c := &Cluster{}
	for i := range 3 {
		var node *Server
		var lastErr error
		for range 5 {
			port, err := freePort(true)
			if err != nil {
				t.Fatalf("find a free port: %v", err)
			}
			node, lastErr = startServer(bin, t.TempDir(), port,
				"--cluster-enabled", "yes",
				"--cluster-config-file", "nodes.conf",
				"--cluster-node-timeout", "5000",
			)
			if lastErr == nil {
				break
			}
		}
		if node == nil {
			t.Fatalf("start cluster node %d: %v", i, lastErr)
		}
		t.Cleanup(node.Stop)
		c.Nodes = append(c.Nodes, node)
		c.Addrs = append(c.Addrs, node.Addr)
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.Command(cli, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, n := range c.Nodes {
		for {
			info, err := n.Client.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("node %s never reported cluster_state:ok: %v\n%s", n.Addr, err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	c.Client = redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs})
	t.Cleanup(func() { _ = c.Client.Close() })
	// The client learns the slot map lazily; make sure it can reach every
	// master before handing it out.
	for {
		err := c.Client.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			return m.Ping(ctx).Err()
		})
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("cluster client: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return c
}

// String names the cluster's nodes, for failure messages.
func (c *Cluster) String() string { return fmt.Sprintf("cluster %v", c.Addrs) }
