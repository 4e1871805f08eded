package inventory

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/pluginhost"
	"github.com/dsrhost/dsrhost/plugins/heap/fakeheap"
	"github.com/dsrhost/dsrhost/sdk"
	"github.com/dsrhost/dsrhost/sdk/sdktest"
)

// Heap refusing an API key written literally in the file: the printed
// diagnostic points at the line but never shows the key.
func TestRefusedSecretIsNotPrinted(t *testing.T) {
	const key = "literal-key-5e1f0c"
	heap := httptest.NewServer(fakeheap.New(fakeheap.Config{AppID: "1234", APIKey: "the-right-key"}))
	t.Cleanup(heap.Close)
	src := fmt.Sprintf(`server {
  listen = "127.0.0.1:8700"
}
redis {
  url = "redis://127.0.0.1:6379/0"
}
encryption_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
plugin "heap" {
  command = %q
}
integration "heap" {
  plugin = "heap"
  settings {
    app_id   = "1234"
    api_key  = %q
    base_url = %q
  }
}
`, sdktest.Build(t, "github.com/dsrhost/dsrhost/plugins/heap"), key, heap.URL)
	path := filepath.Join(t.TempDir(), "heap.hcl")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, files, diags := config.Load(path)
	if diags.HasErrors() {
		t.Fatalf("config: %v", diags)
	}
	host := pluginhost.New(nil, pluginhost.Options{})
	t.Cleanup(host.Close)
	_, diags = Build(context.Background(), cfg, host, Options{})
	if !diags.HasErrors() {
		t.Fatal("Heap refused the key, but Build reported nothing")
	}
	var out strings.Builder
	if err := config.WriteDiagnostics(&out, files, diags, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), key) {
		t.Errorf("the printed diagnostics show the API key:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "api_key") || !strings.Contains(out.String(), ":15:") {
		t.Errorf("the printed diagnostics do not point at api_key on line 15:\n%s", out.String())
	}
}

func TestSensitivePath(t *testing.T) {
	schema := sdk.Schema{
		Attributes: []sdk.Attribute{{Name: "token", Sensitive: true}, {Name: "url"}},
		Blocks: []sdk.Block{
			{Name: "auth", Nesting: sdk.NestingSingle, Schema: sdk.Schema{Attributes: []sdk.Attribute{{Name: "password", Sensitive: true}}}},
			{Name: "hosts", Nesting: sdk.NestingList, Schema: sdk.Schema{Attributes: []sdk.Attribute{{Name: "secret", Sensitive: true}, {Name: "name"}}}},
		},
	}
	for path, want := range map[string]bool{
		"token": true, "url": false, "auth.password": true, "auth": false,
		"hosts.1.secret": true, "hosts.0.name": false, "": false, "nope": false,
	} {
		var p []string
		if path != "" {
			p = strings.Split(path, ".")
		}
		if got := sensitivePath(schema, p); got != want {
			t.Errorf("sensitivePath(%q) = %v, want %v", path, got, want)
		}
	}
}
