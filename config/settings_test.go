package config

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// parseSettings parses src, which must hold one settings block, as if read
// from testdata/settings/settings.hcl, and returns the block's body.
func parseSettings(t *testing.T, src string) (hcl.Body, *Files) {
	t.Helper()
	_, files, diags := Parse("testdata/settings/settings.hcl", []byte(src+"\nredis {\n  url = \"redis://127.0.0.1:6379\"\n}\nencryption_key = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n"))
	_ = diags // settings is not a top-level block; only its body matters
	file := files.Map()["testdata/settings/settings.hcl"]
	for _, b := range file.Body.(*hclsyntax.Body).Blocks {
		if b.Type == "settings" {
			return b.Body, files
		}
	}
	t.Fatal("no settings block in source")
	return nil, nil
}

func TestDecodeSettings(t *testing.T) {
	t.Setenv("DSRHOST_TEST_TOKEN", "from-the-environment")
	tests := []struct {
		name      string
		src       string
		wantJSON  string
		wantDiags []string
		// hidden must not appear in the written diagnostics.
		hidden string
	}{
		{
			name: "every type, nested blocks, env and file",
			src: `settings {
  base_url   = "http://127.0.0.1:9000"
  api_key    = env("DSRHOST_TEST_TOKEN")
  timeout    = "90s"
  page_size  = 1000000
  verify_tls = false
  scopes     = ["read", "write"]
  headers    = { "X-Team" = "privacy" }
  pin        = 0.5
  auth {
    token = file("token.txt")
  }
  endpoint {
    path = "/a"
  }
  endpoint {
    path   = "/b"
    method = "POST"
  }
}`,
			wantJSON: `{"api_key":"from-the-environment","auth":{"header":"Authorization","token":"from-a-file"},` +
				`"base_url":"http://127.0.0.1:9000","endpoint":[{"method":"GET","path":"/a"},{"method":"POST","path":"/b"}],` +
				`"headers":{"X-Team":"privacy"},"page_size":1000000,"pin":0.5,"scopes":["read","write"],"timeout":"90s","verify_tls":false}`,
		},
		{
			name: "defaults fill what is absent",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  api_key  = "k"
  endpoint {
    path = "/"
  }
}`,
			wantJSON: `{"api_key":"k","base_url":"http://127.0.0.1:9000","endpoint":[{"method":"GET","path":"/"}],"page_size":100,"timeout":"30s","verify_tls":true}`,
		},
		{
			name: "missing required setting points at the settings block",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  endpoint {
    path = "/"
  }
}`,
			wantDiags: []string{"1:10: Missing required argument"},
		},
		{
			name: "wrong type points at its own line",
			src: `settings {
  base_url  = "http://127.0.0.1:9000"
  api_key   = "k"
  page_size = "many"
  endpoint {
    path = "/"
  }
}`,
			wantDiags: []string{"4:15: Incorrect attribute value type"},
		},
		{
			name: "sensitive setting of the wrong type is not shown",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  api_key  = ["sk-live-LITERAL"]
  pin      = "4321-LITERAL"
  endpoint {
    path = "/"
  }
}`,
			wantDiags: []string{"3:14: Incorrect attribute value type", "4:14: Incorrect attribute value type"},
			hidden:    "LITERAL",
		},
		{
			name: "bad duration",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  api_key  = "k"
  timeout  = "5 minutes"
  endpoint {
    path = "/"
  }
}`,
			wantDiags: []string{"4:14: Invalid duration"},
		},
		{
			name: "negative duration",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  api_key  = "k"
  timeout  = "-5m"
  endpoint {
    path = "/"
  }
}`,
			wantDiags: []string{"4:14: Negative duration"},
		},
		{
			name: "nested block missing its required setting",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  api_key  = "k"
  auth {
  }
  endpoint {
    path = "/"
  }
}`,
			wantDiags: []string{"4:8: Missing required argument"},
		},
		{
			name: "single block twice",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  api_key  = "k"
  auth {
    token = "a"
  }
  auth {
    token = "b"
  }
  endpoint {
    path = "/"
  }
}`,
			wantDiags: []string{"7:3: Duplicate auth block"},
		},
		{
			name: "too few list blocks",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  api_key  = "k"
}`,
			wantDiags: []string{"1:10: Insufficient endpoint blocks"},
		},
		{
			name: "too many list blocks",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  api_key  = "k"
  endpoint {
    path = "/a"
  }
  endpoint {
    path = "/b"
  }
  endpoint {
    path = "/c"
  }
}`,
			wantDiags: []string{"10:3: Too many endpoint blocks"},
		},
		{
			name: "unknown setting and unknown block",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  api_key  = "k"
  apikey   = "k"
  proxy {
  }
  endpoint {
    path = "/"
  }
}`,
			wantDiags: []string{"4:3: Unsupported argument", "5:3: Unsupported block type"},
		},
		{
			name: "list and map of the wrong shape",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  api_key  = "k"
  scopes   = "read"
  headers  = { "X-A" = ["1"] }
  endpoint {
    path = "/"
  }
}`,
			wantDiags: []string{"4:14: Incorrect attribute value type", "5:14: Incorrect attribute value type"},
		},
		{
			name: "unset environment variable names it",
			src: `settings {
  base_url = "http://127.0.0.1:9000"
  api_key  = env("DSRHOST_TEST_NOT_SET")
  endpoint {
    path = "/"
  }
}`,
			wantDiags: []string{"3:14: Environment variable not set"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, files := parseSettings(t, tt.src)
			js, diags := DecodeSettings(body, sampleSchema)
			if diff := cmp.Diff(tt.wantDiags, diagStrings(diags)); diff != "" {
				t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
			}
			if tt.wantDiags == nil && string(js) != tt.wantJSON {
				t.Errorf("JSON =\n%s\nwant\n%s", js, tt.wantJSON)
			}
			if tt.wantDiags != nil && js != nil {
				t.Errorf("JSON %s returned with errors, want nil", js)
			}
			var out bytes.Buffer
			if err := WriteDiagnostics(&out, files, diags, false); err != nil {
				t.Fatal(err)
			}
			if tt.hidden != "" && strings.Contains(out.String(), tt.hidden) {
				t.Errorf("diagnostics show a sensitive value:\n%s", out.String())
			}
		})
	}
}

func TestDecodeSettingsSensitiveDiagnosticsAreMarked(t *testing.T) {
	body, _ := parseSettings(t, `settings {
  base_url  = 42
  api_key   = ["x"]
  endpoint {
    path = "/"
  }
}`)
	_, diags := DecodeSettings(body, sampleSchema)
	if len(diags) != 1 {
		t.Fatalf("diagnostics = %q, want one for api_key", diagStrings(diags))
	}
	if !IsSensitive(diags[0]) {
		t.Error("the diagnostic about a sensitive setting is not marked sensitive")
	}
	if strings.Contains(diags[0].Error(), `"x"`) {
		t.Errorf("diagnostic quotes the value: %s", diags[0].Error())
	}
}

func TestDecodeSettingsOfAbsentBlock(t *testing.T) {
	src := `redis {
  url = "redis://127.0.0.1:6379"
}
encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

plugin "sample" {
  command = "bin/dsrhost-plugin-sample"
}

integration "crm" {
  plugin = "sample"
}
`
	cfg, _, diags := Parse("testdata/settings/absent.hcl", []byte(src))
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %q", diagStrings(diags))
	}
	_, diags = cfg.DecodeIntegrationSettings(map[string]sdk.Schema{"sample": sampleSchema})
	want := []string{
		"10:1: Missing required argument",
		"10:1: Missing required argument",
		"10:1: Insufficient endpoint blocks",
	}
	if diff := cmp.Diff(want, diagStrings(diags)); diff != "" {
		t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
	}
}
