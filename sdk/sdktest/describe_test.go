package sdktest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/sdk"
)

func validDescription() *sdk.Description {
	return &sdk.Description{
		Name:         "crm",
		Version:      "1.0.0",
		Type:         sdk.SynchronousAPI,
		Capabilities: []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete},
		Settings: sdk.Schema{
			Attributes: []sdk.Attribute{
				{Name: "token", Type: sdk.TypeString, Required: true, Sensitive: true},
				{Name: "page_size", Type: sdk.TypeNumber, Default: 100},
				{Name: "ratio", Type: sdk.TypeNumber, Default: 0.5},
				{Name: "sandbox", Type: sdk.TypeBool, Default: false},
				{Name: "timeout", Type: sdk.TypeDuration, Default: "14d"},
				{Name: "scopes", Type: sdk.TypeListOfString, Default: []string{"read"}},
				{Name: "headers", Type: sdk.TypeMapOfString, Default: map[string]string{}},
				{Name: "base-url", Type: sdk.TypeString, Default: "https://api.example.com"},
			},
			Blocks: []sdk.Block{{
				Name: "auth", Nesting: sdk.NestingSingle, MaxItems: 1,
				Schema: sdk.Schema{Attributes: []sdk.Attribute{{Name: "token", Type: sdk.TypeString}}},
			}},
		},
	}
}

func TestCheckDescription(t *testing.T) {
	tests := []struct {
		name   string
		change func(*sdk.Description)
		want   []string
	}{
		{"valid", func(*sdk.Description) {}, nil},
		{"whole record deleting only", func(d *sdk.Description) {
			d.Type = sdk.WholeRecordDeletionAPI
			d.Capabilities = []sdk.Capability{sdk.CapabilityDelete}
		}, nil},
		{"no name or version", func(d *sdk.Description) { d.Name, d.Version = " ", "" }, []string{
			"Name is empty", "Version is empty",
		}},
		{"unknown type", func(d *sdk.Description) { d.Type = 9 }, []string{
			"Type 9 is not one of the four integration types",
		}},
		{"capabilities", func(d *sdk.Description) {
			d.Capabilities = []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityAccess, 7}
		}, []string{
			`capability "access" is listed twice`, "capability 7 is unknown",
		}},
		{"no capabilities", func(d *sdk.Description) { d.Capabilities = nil }, []string{
			"no capabilities: a connector must access or delete",
		}},
		{"whole record that accesses", func(d *sdk.Description) {
			d.Type = sdk.WholeRecordDeletionAPI
			d.Capabilities = []sdk.Capability{sdk.CapabilityAccess}
		}, []string{
			`a Whole-Record Deletion API must declare capability "delete"`,
			`a Whole-Record Deletion API cannot extract first, so must not declare capability "access"`,
		}},
		{"names", func(d *sdk.Description) {
			d.Settings.Attributes = append(d.Settings.Attributes,
				sdk.Attribute{Name: "api key", Type: sdk.TypeString},
				sdk.Attribute{Name: "1st", Type: sdk.TypeString},
				sdk.Attribute{Name: "auth", Type: sdk.TypeString})
			d.Settings.Blocks[0].Schema.Blocks = []sdk.Block{{Name: "", Nesting: sdk.NestingList}}
		}, []string{
			`settings: attribute name "api key" is not a valid HCL identifier`,
			`settings: attribute name "1st" is not a valid HCL identifier`,
			`settings: name "auth" is used twice`,
			`settings.auth: block name "" is not a valid HCL identifier`,
		}},
		{"attribute types and defaults", func(d *sdk.Description) {
			d.Settings.Attributes = []sdk.Attribute{
				{Name: "a", Type: 0},
				{Name: "b", Type: sdk.TypeString, Required: true, Default: "x"},
				{Name: "c", Type: sdk.TypeNumber, Default: "5"},
				{Name: "d", Type: sdk.TypeBool, Default: "true"},
				{Name: "e", Type: sdk.TypeDuration, Default: "soon"},
				{Name: "f", Type: sdk.TypeDuration, Default: 90},
				{Name: "g", Type: sdk.TypeListOfString, Default: []any{"x"}},
				{Name: "h", Type: sdk.TypeMapOfString, Default: map[string]any{}},
				{Name: "i", Type: sdk.TypeString, Default: 1},
			}
		}, []string{
			`settings: attribute "a" has unknown type 0`,
			`settings: attribute "b" is required and has a default`,
			`settings: attribute "c": default is a string, want a number (float64 or int) for type number`,
			`settings: attribute "d": default is a string, want a bool for type bool`,
			`settings: attribute "e": default: invalid duration "soon"`,
			`settings: attribute "f": default is a int, want a duration string`,
			`settings: attribute "g": default is a []interface {}, want a []string for type list(string)`,
			`settings: attribute "h": default is a map[string]interface {}, want a map[string]string for type map(string)`,
			`settings: attribute "i": default is a int, want a string for type string`,
		}},
		{"blocks", func(d *sdk.Description) {
			d.Settings.Blocks = []sdk.Block{
				{Name: "one", Nesting: sdk.NestingSingle, MaxItems: 2},
				{Name: "many", Nesting: sdk.NestingList, MinItems: 3, MaxItems: 2},
				{Name: "odd", Nesting: 0, MinItems: -1},
				{Name: "deep", Nesting: sdk.NestingList, Schema: sdk.Schema{
					Attributes: []sdk.Attribute{{Name: "x", Type: sdk.TypeBool, Default: 1}},
				}},
			}
		}, []string{
			`settings: block "one" is single but allows 2 items`,
			`settings: block "many" needs at least 3 items but allows at most 2`,
			`settings: block "odd" has unknown nesting 0`,
			`settings: block "odd" has a negative item bound`,
			`settings.deep: attribute "x": default is a int, want a bool for type bool`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDescription()
			tt.change(d)
			got := checkDescription(d)
			if tt.want == nil {
				if len(got) != 0 {
					t.Errorf("problems in a valid description:\n%s", strings.Join(got, "\n"))
				}
				return
			}
			all := strings.Join(got, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems lack %q; got:\n%s", w, all)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%s", len(got), len(tt.want), all)
			}
		})
	}
}

func TestSettingsHelpers(t *testing.T) {
	schema := sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "token", Type: sdk.TypeString, Required: true},
		{Name: "records", Type: sdk.TypeNumber, Default: 2},
		{Name: "region", Type: sdk.TypeString, Default: "eu"},
	}}
	got := withDefaults(schema, map[string]any{"token": "t", "region": "us"})
	if diff := cmp.Diff(map[string]any{"token": "t", "records": 2, "region": "us"}, got); diff != "" {
		t.Errorf("withDefaults (-want +got):\n%s", diff)
	}
	got = overlay(map[string]any{"token": "t", "region": "us"}, map[string]any{"token": nil, "records": 5})
	if diff := cmp.Diff(map[string]any{"region": "us", "records": 5}, got); diff != "" {
		t.Errorf("overlay (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"token"}, requiredAttributes(schema)); diff != "" {
		t.Errorf("requiredAttributes (-want +got):\n%s", diff)
	}
}
