package connector

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/dsrhost/dsrhost/plugins/genericrest/internal/settingstest"
	"github.com/dsrhost/dsrhost/sdk"
)

// FuzzConfigure feeds Configure arbitrary settings, seeded with the shipped
// examples: it must answer with diagnostics, never panic.
func FuzzConfigure(f *testing.F) {
	for _, file := range []string{crmExample, exportsExample, peopleExample} {
		b, err := json.Marshal(settingstest.Example(f, file, Name, Schema()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"base_url": "http://[::1", "access": {"path": "/{{", "records_path": "$[?(@.a ==", "pagination": {"kind": "offset", "limit": -1e309}}}`))
	f.Fuzz(func(t *testing.T, settings []byte) {
		resp, err := New().Configure(context.Background(), &sdk.ConfigureRequest{Integration: "fuzz", Settings: settings, ValidateOnly: true})
		if err != nil || resp == nil {
			t.Fatalf("Configure = %v, %v", resp, err)
		}
	})
}
