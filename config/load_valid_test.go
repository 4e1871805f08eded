package config

import (
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

func TestLoadValidFilesHaveNoDiagnostics(t *testing.T) {
	setTestEnv(t)
	paths, err := filepath.Glob("testdata/valid/*.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no files in testdata/valid")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".hcl"), func(t *testing.T) {
			cfg, _, diags := validate(path)
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %q", diagStrings(diags))
			}
			if cfg == nil {
				t.Fatal("nil Config")
			}
		})
	}
}

func mustKey(t *testing.T, b64 string) Key {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != KeySize {
		t.Fatalf("bad test key %q", b64)
	}
	return Key(raw)
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func dur(d time.Duration) Duration { return Duration{Duration: d} }

// ignoreSources leaves ranges and settings bodies out of comparisons;
// tests of their own check those.
var ignoreSources = cmp.Options{
	cmpopts.IgnoreTypes(hcl.Range{}),
	cmpopts.IgnoreFields(Integration{}, "Settings"),
	// Keys and secrets print as "(sensitive)", so compare their bytes.
	cmp.Comparer(func(a, b Key) bool { return a == b }),
	cmp.Comparer(func(a, b Secret) bool { return a.Value() == b.Value() }),
}

func TestLoadFull(t *testing.T) {
	setTestEnv(t)
	path := "testdata/valid/full.hcl"
	cfg, _, diags := Load(path)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %q", diagStrings(diags))
	}

	integration := func(name, plugin string) *Integration {
		return &Integration{
			Name: name, Plugin: plugin,
			RetryInterval: dur(24 * time.Hour), MaxAttempts: 30, PollInterval: dur(time.Hour),
			MaxWait: dur(4380 * time.Hour), DeletionBehavior: DeletionWaitForCompletion,
			Flow: Flow{Concurrency: DefaultConcurrency, CallTimeout: dur(DefaultCallTimeout)},
		}
	}
	heap := integration("heap", "heap")
	heap.Category = "Analytics"
	heap.RetryInterval = dur(12 * time.Hour)
	heap.MaxAttempts = 10
	heap.PollInterval = dur(15 * time.Minute)
	heap.DeletionBehavior = DeletionCompleteOnSubmit
	heap.DependsOn = []string{"crm"}

	accessBody := "Hello,\n\nAttached is a copy of the data we hold about you.\n"
	want := &Config{
		Filename: path,
		Server: Server{
			Listen:    "127.0.0.1:8700",
			PublicURL: "https://privacy.example.com",
			TLS: &TLS{CertFile: filepath.Join(filepath.Dir(path), "certs/server.pem"),
				KeyFile: filepath.Join(filepath.Dir(path), "certs/server-key.pem")},
		},
		Redis:                  Redis{URL: "redis://127.0.0.1:6379/0"},
		EncryptionKey:          mustKey(t, "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="),
		PreviousEncryptionKeys: []Key{mustKey(t, "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=")},
		AdminTokens: map[string]*AdminToken{
			"ops": {Name: "ops", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Role: RoleOperator},
			"ci":  {Name: "ci", SHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", Role: RoleViewer},
		},
		ResultsRetention: dur(days(60)),
		RequestTypes: map[string]*RequestType{
			"access":        {Name: "access", Deadline: dur(720 * time.Hour)},
			"deletion":      {Name: "deletion", Deadline: dur(days(30)), AutoApprove: true, RequireDeletionApproval: true},
			"do_not_sell":   {Name: "do_not_sell", Deadline: dur(days(45))},
			"do_not_mail":   {Name: "do_not_mail", Deadline: dur(days(45))},
			"right_to_edit": {Name: "right_to_edit", Deadline: dur(days(45))},
		},
		Plugins: map[string]*Plugin{
			"heap": {
				Name: "heap", Command: "bin/dsrhost-plugin-heap", Args: []string{"-log-level", "debug"},
				SHA256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
			},
			"genericrest":   {Name: "genericrest", Command: "bin/dsrhost-plugin-genericrest", Builtin: true},
			"directcontact": {Name: "directcontact", Command: "bin/dsrhost-plugin-directcontact", Builtin: true},
		},
		Integrations: map[string]*Integration{
			"heap":         heap,
			"crm":          integration("crm", "genericrest"),
			"acme-support": integration("acme-support", "directcontact"),
		},
		SMTP: &SMTP{
			Host: "smtp.example.com", Port: 465, Username: "privacy", Password: "smtp-password",
			From: "Privacy <privacy@example.com>", TLS: SMTPImplicitTLS,
		},
		ReplyTemplates: map[string]*ReplyTemplate{
			"access":   {Name: "access", Subject: "Your data access request", Body: accessBody},
			"rejected": {Name: "rejected", Subject: "Your privacy request", Body: "rejected-template-body"},
		},
		Manuals: map[string]*Manual{
			"paper-archive": {
				Name: "paper-archive", Category: "Physical records",
				RequestTypes: []string{"deletion", "do_not_mail", "right_to_edit"},
				Instructions: "Shred the subject's paper file in room 4.",
			},
		},
	}
	if diff := cmp.Diff(want, cfg, ignoreSources); diff != "" {
		t.Errorf("Config mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadKeepsRanges(t *testing.T) {
	setTestEnv(t)
	cfg, _, diags := Load("testdata/valid/full.hcl")
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %q", diagStrings(diags))
	}
	tests := []struct {
		name string
		got  hcl.Range
		want string // file:line:column
	}{
		{"retry_interval value", cfg.Integrations["heap"].RetryInterval.Range, "testdata/valid/full.hcl:50:23"},
		{"deadline value", cfg.RequestTypes["deletion"].Deadline.Range, "testdata/valid/full.hcl:32:31"},
		{"results_retention value", cfg.ResultsRetention.Range, "testdata/valid/full.hcl:29:21"},
		{"integration header", cfg.Integrations["crm"].DeclRange, "testdata/valid/full.hcl:62:1"},
		{"plugin attribute", cfg.Integrations["crm"].PluginRange, "testdata/valid/full.hcl:63:12"},
		{"built-in plugin points at its first use", cfg.Plugins["genericrest"].DeclRange, "testdata/valid/full.hcl:63:12"},
		{"admin token header", cfg.AdminTokens["ci"].DeclRange, "testdata/valid/full.hcl:24:1"},
		{"manual header", cfg.Manuals["paper-archive"].DeclRange, "testdata/valid/full.hcl:97:1"},
	}
	for _, tt := range tests {
		if got := position(tt.got); got != tt.want {
			t.Errorf("%s: range starts at %s, want %s", tt.name, got, tt.want)
		}
	}
	if got := cfg.RequestTypes["do_not_sell"].Deadline.Range; got != (hcl.Range{}) {
		t.Errorf("a default duration has range %s, want the zero range", position(got))
	}
}

func TestLoadDefaults(t *testing.T) {
	cfg, _, diags := Load("testdata/valid/minimal.hcl")
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %q", diagStrings(diags))
	}
	want := &Config{
		Filename:         "testdata/valid/minimal.hcl",
		Server:           Server{Listen: "127.0.0.1:8700", PublicURL: "http://127.0.0.1:8700"},
		Redis:            Redis{URL: "redis://127.0.0.1:6379"},
		AdminTokens:      map[string]*AdminToken{},
		ResultsRetention: dur(days(30)),
		RequestTypes:     map[string]*RequestType{},
		Plugins:          map[string]*Plugin{},
		Integrations:     map[string]*Integration{},
		ReplyTemplates:   map[string]*ReplyTemplate{},
		Manuals:          map[string]*Manual{},
	}
	for _, name := range RequestTypeNames() {
		want.RequestTypes[name] = &RequestType{Name: name, Deadline: dur(days(45))}
	}
	if diff := cmp.Diff(want, cfg, ignoreSources); diff != "" {
		t.Errorf("Config mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadRedisForms(t *testing.T) {
	setTestEnv(t)
	tests := []struct {
		path string
		want Redis
	}{
		{"testdata/valid/redis_sentinel.hcl", Redis{Sentinel: &RedisSentinel{
			MasterName: "mymaster", Addrs: []string{"10.0.0.5:26379", "10.0.0.6:26379"}, Password: "redis-password", DB: 2,
		}}},
		{"testdata/valid/redis_cluster.hcl", Redis{Cluster: &RedisCluster{
			Addrs: []string{"10.0.0.5:7000", "10.0.0.6:7000", "10.0.0.7:7000"},
		}}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			cfg, _, diags := Load(tt.path)
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %q", diagStrings(diags))
			}
			if diff := cmp.Diff(tt.want, cfg.Redis, ignoreSources); diff != "" {
				t.Errorf("Redis mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadFullSettingsReachConnector(t *testing.T) {
	setTestEnv(t)
	cfg, _, diags := Load("testdata/valid/full.hcl")
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %q", diagStrings(diags))
	}
	heapSchema := sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "app_id", Type: sdk.TypeString, Required: true},
		{Name: "api_key", Type: sdk.TypeString, Required: true, Sensitive: true},
	}}
	settings, diags := cfg.DecodeIntegrationSettings(map[string]sdk.Schema{"heap": heapSchema})
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %q", diagStrings(diags))
	}
	if len(settings) != 1 {
		t.Fatalf("decoded settings of %d integrations, want only heap's", len(settings))
	}
	var got struct {
		AppID  string `json:"app_id"`
		APIKey string `json:"api_key"`
	}
	if err := settings["heap"].Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.AppID != "1234" || got.APIKey != "heap-key" {
		t.Errorf("heap settings = %+v, want app_id 1234 and the key from the environment", got)
	}
}

func TestLoadMissingFile(t *testing.T) {
	cfg, _, diags := Load("testdata/does-not-exist.hcl")
	if cfg != nil {
		t.Error("Config for a missing file, want nil")
	}
	if got := diagStrings(diags); len(got) != 1 || got[0] != "1:1: Cannot read configuration file" {
		t.Errorf("diagnostics = %q, want one about reading the file", got)
	}
}
