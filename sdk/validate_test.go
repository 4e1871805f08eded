package sdk

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSchemaValidate(t *testing.T) {
	schema := Schema{
		Attributes: []Attribute{
			{Name: "token", Type: TypeString, Required: true, Sensitive: true, Description: "An API token."},
			{Name: "limit", Type: TypeNumber, Default: 50},
			{Name: "dry", Type: TypeBool},
			{Name: "wait", Type: TypeDuration, Default: "14d"},
			{Name: "to", Type: TypeListOfString},
			{Name: "headers", Type: TypeMapOfString},
		},
		Blocks: []Block{
			{Name: "auth", Nesting: NestingSingle, Schema: Schema{Attributes: []Attribute{{Name: "user", Type: TypeString, Required: true}}}},
			{Name: "route", Nesting: NestingList, MinItems: 1, MaxItems: 2, Schema: Schema{Attributes: []Attribute{{Name: "path", Type: TypeString, Required: true}}}},
		},
	}
	tests := []struct {
		name      string
		settings  string
		wantPaths [][]string
		want      string // the settings handed on, when valid
	}{
		{name: "valid, defaults filled", settings: `{"token":"t","route":[{"path":"/a"}],"smtp":{"host":"x"}}`,
			want: `{"limit":50,"route":[{"path":"/a"}],"smtp":{"host":"x"},"token":"t","wait":"14d"}`},
		{name: "nothing", settings: ``, wantPaths: [][]string{{"token"}, {"route"}}},
		{name: "null token", settings: `{"token":null,"route":[{"path":"/a"}]}`, wantPaths: [][]string{{"token"}}},
		{name: "wrong types", settings: `{"token":1,"limit":"x","dry":"yes","wait":"soon","to":["a",2],"headers":{"a":1},"route":[{"path":"/a"}]}`,
			wantPaths: [][]string{{"token"}, {"limit"}, {"dry"}, {"wait"}, {"to"}, {"headers"}}},
		{name: "nested", settings: `{"token":"t","auth":{},"route":[{"path":"/a"},{}]}`,
			wantPaths: [][]string{{"auth", "user"}, {"route", "1", "path"}}},
		{name: "too many blocks", settings: `{"token":"t","route":[{"path":"/a"},{"path":"/b"},{"path":"/c"}]}`,
			wantPaths: [][]string{{"route"}}},
		{name: "single given as list", settings: `{"token":"t","auth":[{"user":"u"}],"route":[{"path":"/a"}]}`,
			wantPaths: [][]string{{"auth"}}},
		{name: "not an object", settings: `[1]`, wantPaths: [][]string{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := schema.Validate(Settings(tt.settings))
			var paths [][]string
			for _, d := range diags {
				if d.Severity != SeverityError || d.Summary == "" {
					t.Errorf("diagnostic %+v is not an error with a summary", d)
				}
				paths = append(paths, d.Path)
			}
			if diff := cmp.Diff(tt.wantPaths, paths); diff != "" {
				t.Errorf("diagnostic paths (-want +got):\n%s", diff)
			}
			if tt.want != "" {
				var w, g any
				_ = json.Unmarshal([]byte(tt.want), &w)
				if err := json.Unmarshal(got, &g); err != nil {
					t.Fatalf("settings handed on are not JSON: %v", err)
				}
				if diff := cmp.Diff(w, g); diff != "" {
					t.Errorf("settings handed on (-want +got):\n%s", diff)
				}
			}
		})
	}
}
