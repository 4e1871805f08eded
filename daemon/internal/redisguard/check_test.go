package redisguard_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/daemon/internal/redisguard"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
)

// TestCheck starts real redis-servers with the settings an operator might
// have and checks what Check says of each: which refuse the start, which
// warn, and that every message names the setting and the fix.
func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// fatal and warn are the settings the findings must name.
		fatal []string
		warn  []string
	}{
		{"production settings", []string{"--appendonly", "yes"}, nil, nil},
		{"RDB snapshots only", []string{"--save", "900 1"}, nil, nil},
		{"no persistence", nil, nil, []string{"appendonly"}},
		{"allkeys-lru", []string{"--maxmemory-policy", "allkeys-lru", "--appendonly", "yes"}, []string{"maxmemory-policy"}, nil},
		{"volatile-ttl", []string{"--maxmemory-policy", "volatile-ttl", "--appendonly", "yes"}, []string{"maxmemory-policy"}, nil},
		{"CONFIG renamed away", []string{"--rename-command", "CONFIG", "", "--appendonly", "yes"}, nil, []string{"CONFIG"}},
		{"CONFIG renamed, evicting", []string{"--rename-command", "CONFIG", "", "--maxmemory-policy", "allkeys-random"},
			[]string{"maxmemory-policy"}, []string{"CONFIG"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := testredis.StartWith(t, tt.args...)
			findings, err := redisguard.Check(t.Context(), srv.Client)
			var gerr *redisguard.Error
			if len(tt.fatal) > 0 != errors.As(err, &gerr) {
				t.Fatalf("err %v, want fatal findings %v", err, tt.fatal)
			}
			if err != nil && gerr == nil {
				t.Fatalf("check failed: %v", err)
			}
			var fatal, warn []string
			for _, f := range findings {
				if f.Addr != srv.Addr || !strings.Contains(f.Message, f.Setting) && f.Setting != "appendonly" {
					t.Errorf("finding %+v does not name its server and setting", f)
				}
				if f.Severity == redisguard.Fatal {
					fatal = append(fatal, f.Setting)
					if !strings.Contains(f.Message, "noeviction") {
						t.Errorf("fatal finding gives no fix: %s", f.Message)
					}
				} else {
					warn = append(warn, f.Setting)
				}
			}
			if strings.Join(fatal, ",") != strings.Join(tt.fatal, ",") || strings.Join(warn, ",") != strings.Join(tt.warn, ",") {
				t.Errorf("fatal %v warn %v; want fatal %v warn %v (%v)", fatal, warn, tt.fatal, tt.warn, findings)
			}
		})
	}
}

// TestCheckCluster checks each master of a Cluster: one evicting master is
// enough to refuse.
func TestCheckCluster(t *testing.T) {
	c := testredis.StartCluster(t)
	if _, err := redisguard.Check(t.Context(), c.Client); err != nil {
		t.Fatalf("cluster with default settings refused: %v", err)
	}
	bad := c.Nodes[len(c.Nodes)-1]
	if err := bad.Client.ConfigSet(t.Context(), "maxmemory-policy", "allkeys-lfu").Err(); err != nil {
		t.Fatal(err)
	}
	_, err := redisguard.Check(t.Context(), c.Client)
	var gerr *redisguard.Error
	if !errors.As(err, &gerr) || len(gerr.Findings) != 1 || gerr.Findings[0].Addr != bad.Addr {
		t.Fatalf("one evicting master: %v", err)
	}
}
