package connector

import (
	"encoding/json"
	"testing"

	"github.com/dsrhost/dsrhost/plugins/genericrest/internal/settingstest"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// testEnv is what env() returns in the examples.
var testEnv = settingstest.Env

func decodeSettingsBody(t *testing.T, body hcl.Body) map[string]any {
	t.Helper()
	return settingstest.Decode(t, body, Schema())
}

func parseHCL(t *testing.T, path string) *hclsyntax.Body {
	t.Helper()
	return settingstest.Parse(t, path)
}

func exampleSettings(t *testing.T, path string) map[string]any {
	t.Helper()
	return settingstest.Example(t, path, Name, Schema())
}

func mustJSON(t *testing.T, v any) sdk.Settings {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return sdk.Settings(b)
}
