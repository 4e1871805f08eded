package config

import (
	"testing"
)

func TestSettingRange(t *testing.T) {
	body, _ := parseSettings(t, `settings {
  base_url = "http://127.0.0.1:9000"
  headers = {
    "X-Team" = "privacy"
  }
  scopes = ["read", "write"]
  auth {
    token = env("DSRHOST_TEST_TOKEN")
  }
  endpoint {
    path = "/a"
  }
  endpoint {
    path = "/b"
  }
}`)
	tests := []struct {
		path []string
		want string // line:column
	}{
		{[]string{"base_url"}, "2:14"},
		{[]string{"auth", "token"}, "8:13"},
		{[]string{"auth"}, "7:3"},
		{[]string{"auth", "missing"}, "7:3"},
		{[]string{"endpoint", "path"}, "11:12"},
		{[]string{"endpoint", "1", "path"}, "14:12"},
		{[]string{"endpoint", "1"}, "13:3"},
		{[]string{"endpoint", "7", "path"}, "10:3"},
		{[]string{"scopes", "1"}, "6:21"},
		{[]string{"scopes", "9"}, "6:12"},
		{[]string{"headers", "X-Team"}, "4:16"},
		{[]string{"headers", "X-Other"}, "3:13"},
		{[]string{"nope"}, "1:10"},
		{nil, "1:10"},
	}
	for _, tt := range tests {
		rng := SettingRange(body, tt.path)
		if rng.Filename != "testdata/settings/settings.hcl" {
			t.Errorf("SettingRange(%q) is in file %q", tt.path, rng.Filename)
		}
		got := position(rng)[len(rng.Filename)+1:]
		if got != tt.want {
			t.Errorf("SettingRange(%q) starts at %s, want %s", tt.path, got, tt.want)
		}
	}
}
