package sdk

import (
	"os"
	"time"
)

// exitWithParent ends the plugin when the daemon that launched it is gone.
// go-plugin stops a plugin when its host shuts down cleanly, but a host
// killed with SIGKILL cannot: its idle plugins would otherwise run on as
// orphans, reparented to init. The parent's pid changing is the portable
// sign.
func exitWithParent(parent int, every time.Duration) {
	for range time.Tick(every) {
		if os.Getppid() != parent {
			Logger().Warn("the daemon that launched this plugin is gone; exiting")
			os.Exit(0)
		}
	}
}
