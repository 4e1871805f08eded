// Command dsrhost is the dsrhost daemon and its command-line client: one
// binary, as with Vault and Nomad. `dsrhost server` runs the daemon; the
// other commands validate configuration or call a running daemon's admin API.
package main

import (
	"os"

	"github.com/dsrhost/dsrhost/daemon/internal/command"
)

func main() {
	os.Exit(command.Run(os.Args[1:]))
}
