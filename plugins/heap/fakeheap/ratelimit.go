package fakeheap

import (
	"strconv"
	"time"
)

// leakyBucket is Heap's rate limit: every request pours one unit in, the
// bucket drains one unit per leak, and a request that would overflow it is
// refused until enough has drained.
type leakyBucket struct {
	size  int
	leak  time.Duration
	level float64
	at    time.Time
}

// admit reports whether a request at now fits, pouring it in when it does;
// when it does not, wait is set to how long until it would.
func (b *leakyBucket) admit(now time.Time, wait *time.Duration) bool {
	if b.size <= 0 {
		return true
	}
	if !b.at.IsZero() && now.After(b.at) {
		b.level -= float64(now.Sub(b.at)) / float64(b.leak)
		if b.level < 0 {
			b.level = 0
		}
	}
	b.at = now
	if b.level+1 <= float64(b.size) {
		b.level++
		return true
	}
	*wait = time.Duration((b.level + 1 - float64(b.size)) * float64(b.leak))
	return false
}

// retryAfterSeconds formats a wait as Retry-After's whole seconds, rounded
// up so a client that honours it is admitted.
func retryAfterSeconds(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return strconv.FormatInt(secs, 10)
}
