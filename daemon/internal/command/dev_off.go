//go:build nodev

package command

import (
	"fmt"
	"io"

	"github.com/hashicorp/go-hclog"
)

// startDev refuses: this is a production build (make release, -tags
// nodev), which leaves dev mode's embedded Redis, demo services and demo
// database out of the binary.
func startDev(stderr io.Writer, _, _ string, _ hclog.Logger) (*devSetup, int) {
	fmt.Fprintln(stderr, "dsrhost server: dev mode is not built into this binary (a production build, made with -tags nodev). "+
		"Run `make build` for a binary with -dev, or start this one with -config PATH.")
	return nil, exitUsage
}
