package command

import (
	"fmt"
	"io"
	"maps"
	"os"

	"github.com/hashicorp/cli"
)

// Version is the dsrhost version, set at build time with -ldflags.
var Version = "0.1.0-dev"

// Exit codes scripts can rely on.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// Run runs the command line with args (without the program name) and returns
// the process exit code.
func Run(args []string) int {
	return run(args, os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) int {
	ui := &cli.BasicUi{Reader: os.Stdin, Writer: stdout, ErrorWriter: stderr}
	c := cli.NewCLI("dsrhost", Version)
	c.Args = args
	c.Autocomplete = false
	c.HelpWriter = stdout
	c.ErrorWriter = stderr
	c.Commands = commands(ui)
	code, err := c.Run()
	if err != nil {
		fmt.Fprintf(stderr, "dsrhost: %v\n", err)
		return exitError
	}
	return code
}

func commands(ui cli.Ui) map[string]cli.CommandFactory {
	m := map[string]cli.CommandFactory{
		"validate": func() (cli.Command, error) { return &ValidateCommand{UI: ui}, nil },
		"server":   func() (cli.Command, error) { return &ServerCommand{UI: ui}, nil },
		// Offline, unlike the other integration subcommands.
		"integration catalog": func() (cli.Command, error) { return newCatalogCommand(ui), nil },
	}
	// The admin API client: request and integration subcommands.
	maps.Copy(m, clientCommands(ui))
	return m
}
