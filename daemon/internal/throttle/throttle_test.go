package throttle

import (
	"testing"
	"time"
)

func TestAllow(t *testing.T) {
	now := time.Unix(0, 0)
	th := New(10 * time.Second)
	th.now = func() time.Time { return now }
	steps := []struct {
		advance    time.Duration
		key        string
		ok         bool
		suppressed int
	}{
		{0, "a", true, 0},
		{time.Second, "a", false, 0},
		{time.Second, "a", false, 0},
		{0, "b", true, 0},
		{8 * time.Second, "a", true, 2},
		{time.Second, "a", false, 0},
		{10 * time.Second, "a", true, 1},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		ok, n := th.Allow(s.key)
		if ok != s.ok || n != s.suppressed {
			t.Errorf("step %d: Allow(%q) = %v, %d; want %v, %d", i, s.key, ok, n, s.ok, s.suppressed)
		}
	}
}
