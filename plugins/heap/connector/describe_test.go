package connector_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/plugins/heap/connector"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestDescribe(t *testing.T) {
	d, err := connector.New().Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "heap" || d.Version == "" || d.Description == "" {
		t.Fatalf("name %q, version %q, description %q", d.Name, d.Version, d.Description)
	}
	if d.Type != sdk.WholeRecordDeletionAPI {
		t.Errorf("Type = %v, want %v", d.Type, sdk.WholeRecordDeletionAPI)
	}
	if diff := cmp.Diff([]sdk.Capability{sdk.CapabilityDelete}, d.Capabilities); diff != "" {
		t.Errorf("Capabilities (-want +got):\n%s", diff)
	}

	type attr struct {
		Type      sdk.AttributeType
		Required  bool
		Sensitive bool
		Default   any
	}
	want := map[string]attr{
		"app_id":         {Type: sdk.TypeString, Required: true},
		"api_key":        {Type: sdk.TypeString, Required: true, Sensitive: true},
		"base_url":       {Type: sdk.TypeString, Default: "https://heapanalytics.com"},
		"identity_field": {Type: sdk.TypeString, Default: "email"},
		"send_user_id":   {Type: sdk.TypeBool, Default: false},
		"timeout":        {Type: sdk.TypeDuration, Default: "30s"},
	}
	got := map[string]attr{}
	for _, a := range d.Settings.Attributes {
		if a.Description == "" {
			t.Errorf("setting %s has no description", a.Name)
		}
		got[a.Name] = attr{Type: a.Type, Required: a.Required, Sensitive: a.Sensitive, Default: a.Default}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("settings schema (-want +got):\n%s", diff)
	}
	if len(d.Settings.Blocks) != 0 {
		t.Errorf("unexpected nested blocks: %+v", d.Settings.Blocks)
	}
}

// The connector implements exactly what it declares: deletion with polling,
// no access.
func TestImplementsDeclaredCapabilities(t *testing.T) {
	var c sdk.Connector = connector.New()
	if _, ok := c.(sdk.DeletePoller); !ok {
		t.Error("Heap does not implement sdk.DeletePoller")
	}
	if _, ok := c.(sdk.Accessor); ok {
		t.Error("Heap implements sdk.Accessor but declares no access capability")
	}
}
