package config

import "github.com/hashicorp/hcl/v2"

// sensitiveExtra marks a diagnostic whose subject is a secret's source
// text; it wraps whatever Extra the diagnostic had.
type sensitiveExtra struct{ wrapped any }

// UnwrapDiagnosticExtra lets hcl.DiagnosticExtra find the wrapped value.
func (e sensitiveExtra) UnwrapDiagnosticExtra() any { return e.wrapped }

// MarkSensitive records that the diagnostics' subjects are the source of a
// secret (a password or key written in the file), so [WriteDiagnostics]
// shows where they are but replaces the subject's text. The decoder marks
// its own diagnostics about secrets and about settings the plugin calls
// Sensitive; call it for diagnostics the daemon builds about such
// settings, for instance from a connector's Configure.
func MarkSensitive(diags ...*hcl.Diagnostic) {
	for _, diag := range diags {
		if diag != nil && !IsSensitive(diag) {
			diag.Extra = sensitiveExtra{wrapped: diag.Extra}
		}
	}
}

// IsSensitive reports whether [MarkSensitive] marked diag.
func IsSensitive(diag *hcl.Diagnostic) bool {
	_, ok := hcl.DiagnosticExtra[sensitiveExtra](diag)
	return ok
}

// sensitiveSince marks the diagnostics added since the decoder had n,
// about a secret written as expr. A call such as env("NAME") or
// file("path") is left visible: its source names where the secret is, not
// the secret.
func (d *decoder) sensitiveSince(n int, expr hcl.Expression) {
	if _, diags := hcl.ExprCall(expr); !diags.HasErrors() {
		return
	}
	MarkSensitive(d.diags[n:]...)
}
