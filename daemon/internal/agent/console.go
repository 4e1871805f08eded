package agent

import (
	"cmp"

	"github.com/dsrhost/dsrhost/daemon/internal/console"
	"github.com/dsrhost/dsrhost/daemon/internal/store"
)

// Console builds the operator console over the running engine, the admin
// tokens (following reloads) and Redis, which holds its sessions.
func (a *Agent) Console() (*console.Console, error) {
	prefix := cmp.Or(a.opts.Engine.Prefix, "dsrhost")
	return console.New(console.Options{
		Engine: a.engine, Tokens: a.tokens, Redis: a.rdb, Keys: a.keys, Prefix: prefix, Replier: a.Replier(), Inventory: a.Catalog(),
		Counter: store.New(a.rdb, prefix, a.keys), Clock: a.opts.Engine.Clock, Logger: a.logger.Named("console"),
	})
}
