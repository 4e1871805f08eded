package command

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dsrhost/dsrhost/daemon/internal/client"
	"github.com/hashicorp/cli"
)

// clientMeta is what every command that calls a running daemon shares:
// where the daemon is, the token, and the output format.
type clientMeta struct {
	UI cli.Ui
	// Stdout and Stderr default to the process's own.
	Stdout, Stderr io.Writer
	// Getenv defaults to os.Getenv.
	Getenv func(string) string

	address string
	token   string
	caCert  string
	format  string
}

// clientHelp is the options section every client command's help ends with.
const clientHelp = `
Client options:

  -address=<url>    The daemon's admin API. Defaults to $DSRHOST_ADDR, or
                    http://127.0.0.1:8700.

  -token=<token>    An admin token. Defaults to $DSRHOST_TOKEN.

  -ca-cert=<file>   PEM file of the CA that signed the daemon's TLS
                    certificate. Defaults to $DSRHOST_CACERT.

  -format=table     "table" for people, or "json" for scripts (the API's
                    JSON, as curl would receive it). Defaults to
                    $DSRHOST_FORMAT.
`

func (m *clientMeta) stdout() io.Writer {
	if m.Stdout != nil {
		return m.Stdout
	}
	return os.Stdout
}

func (m *clientMeta) stderr() io.Writer {
	if m.Stderr != nil {
		return m.Stderr
	}
	return os.Stderr
}

// flagSet returns a flag set with the client options registered.
func (m *clientMeta) flagSet(name string, help func() string) *flag.FlagSet {
	getenv := m.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	env := client.FromEnv(getenv)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&m.address, "address", env.Address, "")
	fs.StringVar(&m.token, "token", env.Token, "")
	fs.StringVar(&m.caCert, "ca-cert", env.CACert, "")
	fs.StringVar(&m.format, "format", envFormat(getenv, "table"), "")
	return fs
}

// parse parses flags and positional arguments in any order (flags may
// follow arguments, as in `dsrhost request approve ID -source crm`) and
// checks the format. On failure it prints why with a pointer to -h and
// returns false.
func (m *clientMeta) parse(fs *flag.FlagSet, args []string, cmd string) ([]string, bool) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			m.usageError(cmd, err.Error())
			return nil, false
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			positional = append(positional, args[1:]...)
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	switch m.format {
	case "table", "text":
		m.format = "table"
	case "json":
	default:
		m.usageError(cmd, fmt.Sprintf("-format must be \"table\" or \"json\", not %q", m.format))
		return nil, false
	}
	return positional, true
}

// usageError prints a usage mistake; callers return exitUsage.
func (m *clientMeta) usageError(cmd, msg string) {
	fmt.Fprintf(m.stderr(), "dsrhost %s: %s\nRun `dsrhost %s -h` for usage.\n", cmd, msg, cmd)
}

// json reports whether machine output was asked for.
func (m *clientMeta) json() bool { return m.format == "json" }

// client connects to the daemon.
func (m *clientMeta) client() (*client.Client, error) {
	return client.New(client.Config{Address: m.address, Token: m.token, CACert: m.caCert})
}

// context is cancelled by Ctrl-C, so a long call or a watch ends cleanly.
func (m *clientMeta) context() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// fail prints err with what to do about it and returns exitError.
func (m *clientMeta) fail(cmd string, err error) int {
	fmt.Fprintf(m.stderr(), "Error: %s\n", strings.TrimSpace(explain(err, m.address, cmd)))
	return exitError
}

// output turns the error of writing output into an exit code.
func (m *clientMeta) output(err error) int {
	if err != nil {
		fmt.Fprintf(m.stderr(), "Error: %v\n", err)
		return exitError
	}
	return exitOK
}

// parseNone parses a command that takes options only, no arguments.
func (m *clientMeta) parseNone(fs *flag.FlagSet, args []string, cmd string) bool {
	pos, ok := m.parse(fs, args, cmd)
	if !ok {
		return false
	}
	if len(pos) != 0 {
		m.usageError(cmd, fmt.Sprintf("takes no arguments, got %q", pos))
		return false
	}
	return true
}

// parseID parses a command that takes exactly one request ID.
func (m *clientMeta) parseID(fs *flag.FlagSet, args []string, cmd string) (string, bool) {
	pos, ok := m.parse(fs, args, cmd)
	if !ok {
		return "", false
	}
	if len(pos) != 1 {
		m.usageError(cmd, fmt.Sprintf("expected one request ID, got %d arguments", len(pos)))
		return "", false
	}
	// ULIDs are case-insensitive; the API takes the canonical upper case.
	return strings.ToUpper(strings.TrimSpace(pos[0])), true
}

// parseIDName parses a command on one integration of one request, which
// takes REQUEST_ID and NAME.
func (m *clientMeta) parseIDName(fs *flag.FlagSet, args []string, cmd string) (id, name string, ok bool) {
	pos, ok := m.parse(fs, args, cmd)
	if !ok {
		return "", "", false
	}
	if len(pos) != 2 {
		m.usageError(cmd, fmt.Sprintf("expected REQUEST_ID and NAME, got %d arguments", len(pos)))
		return "", "", false
	}
	return strings.ToUpper(pos[0]), pos[1], true
}
