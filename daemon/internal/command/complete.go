package command

import "github.com/posener/complete"

// configPredictor completes a -config value or a validate argument: .hcl
// files and directories (PredictFiles offers both), which -config accepts
// alike.
var configPredictor = complete.PredictFiles("*.hcl")

// AutocompleteArgs completes validate's PATH arguments.
func (c *ValidateCommand) AutocompleteArgs() complete.Predictor { return configPredictor }

// AutocompleteFlags completes validate's flags.
func (c *ValidateCommand) AutocompleteFlags() complete.Flags {
	return complete.Flags{
		"-config":   configPredictor,
		"-format":   complete.PredictSet("text", "json"),
		"-no-color": complete.PredictNothing,
	}
}

// AutocompleteArgs: server takes no arguments.
func (c *ServerCommand) AutocompleteArgs() complete.Predictor { return complete.PredictNothing }

// AutocompleteFlags completes server's flags.
func (c *ServerCommand) AutocompleteFlags() complete.Flags {
	return complete.Flags{
		"-config":             configPredictor,
		"-log-level":          complete.PredictSet("trace", "debug", "info", "warn", "error"),
		"-log-json":           complete.PredictNothing,
		"-dev":                complete.PredictNothing,
		"-dev-listen-address": complete.PredictAnything,
		"-dev-root-token-id":  complete.PredictAnything,
	}
}
