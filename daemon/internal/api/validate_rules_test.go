package api

import "testing"

// TestRulesCompile: every request message's rules compile. The daemon
// compiles them once serving, so a broken rule would otherwise surface
// only as calls failing with internal.
func TestRulesCompile(t *testing.T) {
	v, err := compileRules()
	if err != nil {
		t.Fatal(err)
	}
	if v == nil {
		t.Fatal("no validator")
	}
}
