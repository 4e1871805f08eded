package config

import (
	"regexp"
	"slices"
	"strings"
)

// The request types of the product contract, in the order admins see them.
var requestTypeNames = []string{"access", "deletion", "do_not_sell", "do_not_mail", "right_to_edit"}

// The plugins shipped with dsrhost, usable without a plugin block.
var builtinPlugins = []string{"directcontact", "genericrest", "heap", "sql"}

// RejectedTemplate is the reply_template label used to answer a rejected
// request.
const RejectedTemplate = "rejected"

// RequestTypeNames returns the names of the request types.
func RequestTypeNames() []string { return slices.Clone(requestTypeNames) }

// BuiltinPlugins returns the names of the shipped plugins, which an
// integration may name without a plugin block.
func BuiltinPlugins() []string { return slices.Clone(builtinPlugins) }

// BuiltinPluginCommand is the command of a built-in plugin no plugin block
// declares: the binary `make build` puts in bin/.
func BuiltinPluginCommand(name string) string { return "bin/dsrhost-plugin-" + name }

// validName matches names of tokens, plugins, integrations and manual data
// sources: they appear in CLI arguments, Redis keys and logs.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// quotedList renders names as `"a", "b" or "c"` for diagnostics.
func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + n + `"`
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
