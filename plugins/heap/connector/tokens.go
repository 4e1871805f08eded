package connector

import (
	"context"
	"sync"
	"time"
)

// tokenLifetime is how long a cached access token is used. Heap's tokens
// expire five minutes after they are issued and Heap's answer does not say
// when, so the connector stops using one a minute early; a token refused
// anyway is replaced at once (see client.call).
const tokenLifetime = 4 * time.Minute

// tokenCache holds the current access token. Fetches are serialised so that
// concurrent jobs with an expired token ask Heap for one new token, not one
// each.
type tokenCache struct {
	fetch func(ctx context.Context) (string, error)
	now   func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// get returns a live token, fetching one when there is none.
func (t *tokenCache) get(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && t.now().Before(t.expires) {
		return t.token, nil
	}
	token, err := t.fetch(ctx)
	if err != nil {
		return "", err
	}
	t.token, t.expires = token, t.now().Add(tokenLifetime)
	return token, nil
}

// invalidate drops token, when it is still the cached one, after Heap
// refused it; a token another job already replaced is left alone.
func (t *tokenCache) invalidate(token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == token {
		t.token = ""
	}
}
