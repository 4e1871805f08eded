package command

import (
	"io"

	"github.com/dsrhost/dsrhost/config"
	"github.com/hashicorp/hcl/v2"
	"github.com/redis/go-redis/v9"
)

// devListenAddress is where `server -dev` serves by default, as Vault's
// -dev does.
const devListenAddress = "127.0.0.1:8700"

// devSetup is what `server -dev` runs the daemon on. Dev mode itself
// (miniredis, the demo services, the demo database) is linked only into
// binaries built without the nodev tag: see dev_on.go and dev_off.go.
type devSetup struct {
	load   func() (*config.Config, *config.Files, hcl.Diagnostics)
	redis  redis.UniversalClient
	banner func(w io.Writer, addr string)
	close  func()
}
