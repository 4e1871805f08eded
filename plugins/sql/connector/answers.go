package connector

import (
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/dsrhost/dsrhost/sdk"
)

// answers remembers finished erasures by integration and idempotency key,
// so a job delivered twice gets its first answer ("# records deleted"
// counts what the first delivery changed) instead of "0". After a restart
// the job runs again, and changes nothing more: strategies are fixpoints
// and deleted rows are gone.
type answers struct {
	cache *lru.Cache[[2]string, sdk.DeleteResponse]
}

func newAnswers(size int) *answers {
	c, _ := lru.New[[2]string, sdk.DeleteResponse](size) // only fails for size <= 0
	return &answers{cache: c}
}

func (a *answers) get(integration, key string) (*sdk.DeleteResponse, bool) {
	r, ok := a.cache.Get([2]string{integration, key})
	return &r, ok
}

func (a *answers) put(integration, key string, r *sdk.DeleteResponse) {
	a.cache.Add([2]string{integration, key}, *r)
}

// forget drops an integration's answers when its settings change: the
// same job against another database must really run.
func (a *answers) forget(integration string) {
	for _, k := range a.cache.Keys() {
		if k[0] == integration {
			a.cache.Remove(k)
		}
	}
}
