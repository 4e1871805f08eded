//go:build !nodev

package command

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dsrhost/dsrhost/daemon/internal/devmode"
	"github.com/hashicorp/go-hclog"
)

// startDev starts dev mode: an embedded Redis, the demo services and a
// generated configuration using the plugins beside this binary. On failure
// it reports to stderr and returns nil with the exit code.
func startDev(stderr io.Writer, listen, token string, logger hclog.Logger) (*devSetup, int) {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "dsrhost server: find own binary: %v\n", err)
		return nil, exitError
	}
	env, err := devmode.Start(devmode.Options{
		ListenAddress: listen, RootToken: token,
		PluginDir: filepath.Dir(exe), Logger: logger.Named("dev"),
	})
	if err != nil {
		fmt.Fprintf(stderr, "dsrhost server: %v\n", err)
		return nil, exitError
	}
	return &devSetup{
		load:   env.Load,
		redis:  env.Redis,
		banner: func(w io.Writer, addr string) { printBanner(w, env.RootToken, addr) },
		close:  env.Close,
	}, exitOK
}

// printBanner tells the newcomer the README's walk-through, step by step.
func printBanner(w io.Writer, rootToken, addr string) {
	fmt.Fprintf(w, `
==> dsrhost dev mode is running. Do not use it in production.

    Admin API:   http://%[1]s  (Connect, gRPC and gRPC-Web)
    Privacy:     http://%[1]s/privacy/  (the subjects' own request pages)
    Console:     http://%[1]s/ui/  (the operator console; the root token signs in)
    Root token:  %[2]s
    Redis:       embedded, in memory (everything is lost on exit)
    Demo:        a CRM and a Heap stand-in that know %[3]s,
                 and a mail sink that logs each email with its links (direct
                 contact, privacy center verification and download)

Try, in another terminal:

    export DSRHOST_ADDR=http://%[1]s
    export DSRHOST_TOKEN=%[2]s
    bin/dsrhost integration list
    bin/dsrhost request create -type deletion -email %[3]s
    bin/dsrhost request approve <ID>
    bin/dsrhost request get <ID>        # CRM and Heap complete on their own;
                                        # acme-support waits: open the link the log shows
    bin/dsrhost request close <ID>
    bin/dsrhost request history <ID>

`, addr, rootToken, devmode.DemoSubject)
}
