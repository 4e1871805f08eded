package command

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/plugins/genericrest/catalog"
)

func TestIntegrationCatalog(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   string
		jsonName string
	}{
		{"list", []string{"integration", "catalog"}, exitOK, catalog.Names(), "", ""},
		{"one entry", []string{"integration", "catalog", "zendesk"}, exitOK,
			[]string{"Permissions to grant", `template = "zendesk"`, `api_token = env("ZENDESK_API_TOKEN")`, "/deleted_users/{{ .record.id }}"}, "", ""},
		{"json entry", []string{"integration", "catalog", "-format", "json", "stripe"}, exitOK, nil, "", "stripe"},
		{"unknown entry", []string{"integration", "catalog", "zendesc"}, exitError, nil, "no entry \"zendesc\"", ""},
		{"two names", []string{"integration", "catalog", "a", "b"}, exitUsage, nil, "at most one NAME", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(tt.args, &out, &errb); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, errb.String())
			}
			for _, want := range tt.stdout {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr = %q, want %q", errb.String(), tt.stderr)
			}
			if tt.jsonName != "" {
				var e catalogEntry
				if err := json.Unmarshal(out.Bytes(), &e); err != nil || e.Name != tt.jsonName || e.Source == "" || e.Page == "" {
					t.Errorf("json = %+v (%v)", e, err)
				}
			}
		})
	}
}
