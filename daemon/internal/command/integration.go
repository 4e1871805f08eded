package command

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/client"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1/adminv1connect"
	"google.golang.org/protobuf/proto"
)

// IntegrationCommand is the parent of the integration subcommands.
type IntegrationCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *IntegrationCommand) Synopsis() string {
	return "Show the data inventory and control integrations on requests"
}

// Help is the full help.
func (c *IntegrationCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost integration <subcommand> [options] [args]

  Shows the data inventory (every integration and manual data source with
  its plugin's health), checks an integration's credentials, and retries,
  stops or skips one integration on one request.

      $ dsrhost integration list
      $ dsrhost integration test heap
      $ dsrhost integration retry 01JA2B3C4D5E6F7G8H9JKMNPQR heap

  Every subcommand reads DSRHOST_ADDR and DSRHOST_TOKEN; -h shows its options.
`)
}

// Run prints the help: the subcommand is missing.
func (c *IntegrationCommand) Run(args []string) int {
	fmt.Fprintln(c.stderr(), c.Help()+subcommandList(
		[2]string{"catalog", "List ready-made SaaS integration templates, or print one"},
		[2]string{"complete", "Mark a manual data source's task done on a request"},
		[2]string{"list", "Show the data inventory"},
		[2]string{"retry", "Run a failed integration on a request again now"},
		[2]string{"skip", "End an integration on a request as skipped"},
		[2]string{"stop", "End an integration on a request as stopped"},
		[2]string{"test", "Check an integration's credentials and permissions"},
	))
	return exitUsage
}

// IntegrationListCommand shows the data inventory.
type IntegrationListCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *IntegrationListCommand) Synopsis() string { return "Show the data inventory" }

// Help is the full help.
func (c *IntegrationListCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost integration list [options]

  Shows every integration and manual data source: its category, type, how
  it is processed, its plugin and version, and the plugin's health. Needs a
  viewer token.

      $ dsrhost integration list
      $ dsrhost integration list -category Analytics -format json

List options:

  -category=<name>   Only this category.
` + clientHelp)
}

// Run lists.
func (c *IntegrationListCommand) Run(args []string) int {
	const cmd = "integration list"
	fs := c.flagSet(cmd, c.Help)
	category := fs.String("category", "", "")
	if !c.parseNone(fs, args, cmd) {
		return exitUsage
	}
	return show(&c.clientMeta, cmd, func(ctx context.Context, api *client.Client) (*adminv1.ListIntegrationsResponse, error) {
		return unary(ctx, api.Integrations.ListIntegrations, &adminv1.ListIntegrationsRequest{Category: *category})
	}, writeIntegrations)
}

// writeIntegrations prints the data inventory for people.
func writeIntegrations(w io.Writer, res *adminv1.ListIntegrationsResponse) error {
	if len(res.GetIntegrations()) == 0 {
		fmt.Fprintln(w, "No integrations.")
		return nil
	}
	t := newTable(w, "NAME", "CATEGORY", "TYPE", "PROCESS", "CAPABILITIES", "PLUGIN", "VERSION", "HEALTH")
	for _, in := range res.GetIntegrations() {
		caps := strings.Join(in.GetCapabilities(), ",")
		if in.GetType() == adminv1.IntegrationType_INTEGRATION_TYPE_MANUAL {
			var types []string
			for _, rt := range in.GetRequestTypes() {
				types = append(types, requestTypeWords[rt])
			}
			caps = strings.Join(types, ",")
		}
		t.row(in.GetName(), in.GetCategory(), integrationTypeWords[in.GetType()], in.GetProcessKind(), caps,
			in.GetPlugin(), in.GetPluginVersion(), healthCell(in.GetHealth()))
	}
	return t.flush()
}

// healthCell is a plugin's health with what explains it.
func healthCell(h *adminv1.Health) string {
	s := h.GetState()
	var extra []string
	if h.GetRestarts() > 0 {
		extra = append(extra, fmt.Sprintf("%d restarts", h.GetRestarts()))
	}
	if h.GetMessage() != "" {
		extra = append(extra, h.GetMessage())
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

// IntegrationTestCommand checks an integration's credentials.
type IntegrationTestCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *IntegrationTestCommand) Synopsis() string {
	return "Check an integration's credentials and permissions"
}

// Help is the full help.
func (c *IntegrationTestCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost integration test [options] NAME

  Configures the integration's plugin again, which checks its credentials
  and the permissions and scopes it needs against the third party. Exits 0
  when the check passes and 1 when it does not. Needs an operator token.

      $ dsrhost integration test heap
` + clientHelp)
}

// Run tests.
func (c *IntegrationTestCommand) Run(args []string) int {
	const cmd = "integration test"
	fs := c.flagSet(cmd, c.Help)
	pos, ok := c.parse(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	if len(pos) != 1 {
		c.usageError(cmd, fmt.Sprintf("expected one integration NAME, got %d arguments", len(pos)))
		return exitUsage
	}
	name := pos[0]
	passed := false
	code := show(&c.clientMeta, cmd, func(ctx context.Context, api *client.Client) (*adminv1.TestIntegrationResponse, error) {
		res, err := unary(ctx, api.Integrations.TestIntegration, &adminv1.TestIntegrationRequest{Name: name})
		passed = res.GetOk() // false when the call failed
		return res, err
	}, func(w io.Writer, res *adminv1.TestIntegrationResponse) error {
		writeTestResult(w, name, res)
		return nil
	})
	// A check that did not pass fails the command, in either format.
	if code == exitOK && !passed {
		return exitError
	}
	return code
}

// writeTestResult says whether the check passed and, if not, why.
func writeTestResult(w io.Writer, name string, m *adminv1.TestIntegrationResponse) {
	if m.GetOk() {
		fmt.Fprintf(w, "%s: the check passed.\n", name)
		return
	}
	fmt.Fprintf(w, "%s: the check failed.\n", name)
	for _, p := range m.GetProblems() {
		fmt.Fprintf(w, "  - %s\n", p)
	}
	if e := m.GetError(); e != nil {
		line := e.GetType()
		if e.GetStatusCode() != 0 {
			line += fmt.Sprintf(" (status %d)", e.GetStatusCode())
		}
		if e.GetMessage() != "" {
			line += ": " + e.GetMessage()
		}
		fmt.Fprintf(w, "  Error: %s\n", line)
		if e.GetRemediation() != "" {
			fmt.Fprintf(w, "  To fix: %s\n", e.GetRemediation())
		}
	}
}

// integrationsClient is the IntegrationService client.
type integrationsClient = adminv1connect.IntegrationServiceClient

// integrationReply is the response of a call that acts on one integration
// of one request.
type integrationReply interface {
	proto.Message
	GetIntegration() *adminv1.IntegrationState
}

// IntegrationControlCommand is `integration retry`, `stop` or `skip`: one
// operator action on one integration of one request.
type IntegrationControlCommand struct {
	clientMeta
	// Action is "retry", "stop" or "skip".
	Action string
}

var integrationActions = map[string]struct {
	synopsis, help string
	call           func(ctx context.Context, api integrationsClient, id, name string) (integrationReply, error)
}{
	"retry": {
		synopsis: "Run a failed integration on a request again now",
		help: `Runs an integration in Error (or one still Processing) again at once, as a
  new attempt, instead of waiting for its automatic retry. A Complete
  integration cannot be retried.`,
		call: func(ctx context.Context, api integrationsClient, id, name string) (integrationReply, error) {
			return unary(ctx, api.RetryIntegration, &adminv1.RetryIntegrationRequest{RequestId: id, Name: name})
		},
	},
	"stop": {
		synopsis: "End an integration on a request as stopped",
		help: `Ends the integration on this request as "Stopped processing": no more
  attempts or polls; the request moves on without it.`,
		call: func(ctx context.Context, api integrationsClient, id, name string) (integrationReply, error) {
			return unary(ctx, api.StopIntegration, &adminv1.StopIntegrationRequest{RequestId: id, Name: name})
		},
	},
	"skip": {
		synopsis: "End an integration on a request as skipped",
		help: `Ends the integration on this request as "Access skipped" or "Deletion
  skipped"; the request moves on without it.`,
		call: func(ctx context.Context, api integrationsClient, id, name string) (integrationReply, error) {
			return unary(ctx, api.SkipIntegration, &adminv1.SkipIntegrationRequest{RequestId: id, Name: name})
		},
	},
}

// Synopsis is the one-line help.
func (c *IntegrationControlCommand) Synopsis() string { return integrationActions[c.Action].synopsis }

// Help is the full help.
func (c *IntegrationControlCommand) Help() string {
	return strings.TrimSpace(fmt.Sprintf(`
Usage: dsrhost integration %[1]s [options] REQUEST_ID NAME

  %[2]s
  Recorded in the request's history with the token's name. Needs an
  operator token.

      $ dsrhost integration %[1]s 01JA2B3C4D5E6F7G8H9JKMNPQR heap
`, c.Action, integrationActions[c.Action].help) + clientHelp)
}

// Run acts.
func (c *IntegrationControlCommand) Run(args []string) int {
	cmd := "integration " + c.Action
	action, known := integrationActions[c.Action]
	if !known {
		c.usageError(cmd, "unknown action")
		return exitUsage
	}
	fs := c.flagSet(cmd, c.Help)
	id, name, ok := c.parseIDName(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	return show(&c.clientMeta, cmd, func(ctx context.Context, api *client.Client) (integrationReply, error) {
		return action.call(ctx, api.Integrations, id, name)
	}, func(w io.Writer, res integrationReply) error {
		it := res.GetIntegration()
		fmt.Fprintf(w, "%s on request %s (%s): %s.\n", it.GetName(), id, workflowWords[it.GetWorkflowState()], integrationStateCell(it))
		return nil
	})
}

// IntegrationCompleteCommand marks a manual data source's task done.
type IntegrationCompleteCommand struct {
	clientMeta
}

// Synopsis is the one-line help.
func (c *IntegrationCompleteCommand) Synopsis() string {
	return "Mark a manual data source's task done on a request"
}

// Help is the full help.
func (c *IntegrationCompleteCommand) Help() string {
	return strings.TrimSpace(`
Usage: dsrhost integration complete [options] REQUEST_ID NAME

  Marks the checklist item of manual data source NAME done on a request,
  with an optional note, recorded with the token's name. Needs an operator
  token.

      $ dsrhost integration complete 01JA2B3C4D5E6F7G8H9JKMNPQR paper-archive -note "Shredded"

Complete options:

  -note=<text>   What was done.
` + clientHelp)
}

// Run completes the task.
func (c *IntegrationCompleteCommand) Run(args []string) int {
	const cmd = "integration complete"
	fs := c.flagSet(cmd, c.Help)
	note := fs.String("note", "", "")
	id, name, ok := c.parseIDName(fs, args, cmd)
	if !ok {
		return exitUsage
	}
	return show(&c.clientMeta, cmd, func(ctx context.Context, api *client.Client) (*adminv1.CompleteManualTaskResponse, error) {
		return unary(ctx, api.Integrations.CompleteManualTask, &adminv1.CompleteManualTaskRequest{RequestId: id, Name: name, Note: *note})
	}, func(w io.Writer, res *adminv1.CompleteManualTaskResponse) error {
		fmt.Fprintf(w, "Marked %s done on request %s.\n", res.GetTask().GetName(), id)
		return nil
	})
}
