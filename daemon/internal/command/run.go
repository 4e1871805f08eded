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
	c := cli.NewCLI("dsrhost", Build().versionLine())
	c.Args = args
	// Shell completion, as in Vault and Nomad: `dsrhost
	// -autocomplete-install` adds it to the shell's rc file.
	c.Autocomplete = true
	c.HelpWriter = stdout
	c.ErrorWriter = stderr
	c.Commands = commands(ui, stdout, stderr)
	code, err := c.Run()
	if err != nil {
		fmt.Fprintf(stderr, "dsrhost: %v\n", err)
		return exitError
	}
	if code == cliNoCommand {
		// No command or an unknown one: the help went to stderr. That is
		// a usage mistake, with the documented code for one.
		return exitUsage
	}
	return code
}

// cliNoCommand is what hashicorp/cli returns for a missing or unknown
// command.
const cliNoCommand = 127

func commands(ui cli.Ui, stdout, stderr io.Writer) map[string]cli.CommandFactory {
	m := map[string]cli.CommandFactory{
		"validate": func() (cli.Command, error) { return &ValidateCommand{UI: ui}, nil },
		"server":   func() (cli.Command, error) { return &ServerCommand{UI: ui}, nil },
		// Offline, unlike the other integration subcommands.
		"integration catalog": func() (cli.Command, error) { return newCatalogCommand(ui), nil },
		"version":             func() (cli.Command, error) { return &VersionCommand{Stdout: stdout, Stderr: stderr}, nil },
	}
	// The admin API client: request and integration subcommands.
	maps.Copy(m, clientCommands(ui))
	return m
}
