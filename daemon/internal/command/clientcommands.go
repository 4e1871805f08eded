package command

import (
	"io"

	"github.com/hashicorp/cli"
)

// clientCommands are the commands that call a running daemon's admin API.
func clientCommands(ui cli.Ui) map[string]cli.CommandFactory {
	var stdout, stderr io.Writer
	if b, ok := ui.(*cli.BasicUi); ok {
		stdout, stderr = b.Writer, b.ErrorWriter
	}
	meta := func() clientMeta { return clientMeta{UI: ui, Stdout: stdout, Stderr: stderr} }
	return map[string]cli.CommandFactory{
		"request":                  func() (cli.Command, error) { return &RequestCommand{meta()}, nil },
		"request create":           func() (cli.Command, error) { return &RequestCreateCommand{meta()}, nil },
		"request list":             func() (cli.Command, error) { return &RequestListCommand{clientMeta: meta()}, nil },
		"request get":              func() (cli.Command, error) { return &RequestGetCommand{meta()}, nil },
		"request approve":          func() (cli.Command, error) { return &RequestApproveCommand{meta()}, nil },
		"request approve-deletion": func() (cli.Command, error) { return &RequestApproveDeletionCommand{meta()}, nil },
		"request reject":           func() (cli.Command, error) { return &RequestRejectCommand{meta()}, nil },
		"request close":            func() (cli.Command, error) { return &RequestCloseCommand{meta()}, nil },
		"request extend":           func() (cli.Command, error) { return &RequestExtendCommand{meta()}, nil },
		"request history":          func() (cli.Command, error) { return &RequestHistoryCommand{meta()}, nil },
		"request export":           func() (cli.Command, error) { return &RequestExportCommand{meta()}, nil },
		"request watch":            func() (cli.Command, error) { return &RequestWatchCommand{meta()}, nil },
		"request report":           func() (cli.Command, error) { return &RequestReportCommand{clientMeta: meta()}, nil },
		"integration":              func() (cli.Command, error) { return &IntegrationCommand{meta()}, nil },
		"integration list":         func() (cli.Command, error) { return &IntegrationListCommand{meta()}, nil },
		"integration test":         func() (cli.Command, error) { return &IntegrationTestCommand{meta()}, nil },
		"integration retry": func() (cli.Command, error) {
			return &IntegrationControlCommand{clientMeta: meta(), Action: "retry"}, nil
		},
		"integration stop": func() (cli.Command, error) {
			return &IntegrationControlCommand{clientMeta: meta(), Action: "stop"}, nil
		},
		"integration skip": func() (cli.Command, error) {
			return &IntegrationControlCommand{clientMeta: meta(), Action: "skip"}, nil
		},
		"integration complete": func() (cli.Command, error) { return &IntegrationCompleteCommand{meta()}, nil },
	}
}
