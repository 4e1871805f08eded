package connector

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dsrhost/dsrhost/sdk"
)

// invalidCase is one file of testdata/invalid: settings and the diagnostics
// they must produce, in order.
type invalidCase struct {
	Settings    json.RawMessage `json:"settings"`
	Diagnostics []wantDiag      `json:"diagnostics"`
}

type wantDiag struct {
	Path    []string `json:"path"`
	Summary string   `json:"summary"`
}

func TestInvalidSettings(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var tc invalidCase
			if err := json.Unmarshal(b, &tc); err != nil {
				t.Fatalf("fixture: %v", err)
			}
			// Through Configure, which must report these without dialling
			// anything (smtp.example.com is never reached).
			resp, err := New().Configure(context.Background(),
				&sdk.ConfigureRequest{Integration: "x", Settings: sdk.Settings(tc.Settings)})
			if err != nil {
				t.Fatalf("Configure: %v", err)
			}
			var got []wantDiag
			for _, d := range resp.Diagnostics {
				if d.Severity != sdk.SeverityError || d.Detail == "" {
					t.Errorf("diagnostic %+v: want an error with a detail", d)
				}
				if strings.Contains(d.Summary+d.Detail, "hunter2") {
					t.Errorf("diagnostic reveals the password: %+v", d)
				}
				got = append(got, wantDiag{Path: d.Path, Summary: d.Summary})
			}
			if diff := cmp.Diff(tc.Diagnostics, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nfull: %+v", diff, resp.Diagnostics)
			}
		})
	}
}

func TestSettingsDefaults(t *testing.T) {
	cfg, diags := decodeSettings(sdk.Settings(`{
		"to": ["dpo@vendor.example"],
		"smtp": {"host": "smtp.example.com", "username": "Relay <relay@example.com>", "password": "pw"}
	}`))
	if diags != nil {
		t.Fatalf("diagnostics: %+v", diags)
	}
	got := struct {
		From                 string
		DueIn                time.Duration
		OnNoResponse         string
		Reminders            []time.Duration
		Port                 int
		Mode                 string
		SubjectKinds, Bodies int
	}{cfg.from, cfg.dueIn, cfg.onNoResponse, cfg.reminders, cfg.smtp.port, cfg.smtp.mode, len(cfg.tmpl.subject), len(cfg.tmpl.body)}
	want := struct {
		From                 string
		DueIn                time.Duration
		OnNoResponse         string
		Reminders            []time.Duration
		Port                 int
		Mode                 string
		SubjectKinds, Bodies int
	}{"Relay <relay@example.com>", 14 * day, "block", []time.Duration{3 * day}, 587, "starttls", 2, 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestRemindersSortedLongestFirst(t *testing.T) {
	cfg, diags := decodeSettings(sdk.Settings(`{
		"to": ["dpo@vendor.example"], "from": "privacy@example.com",
		"smtp": {"host": "smtp.example.com"},
		"due_in": "30d", "reminders": ["1d", "7d", "36h", "7d"]
	}`))
	if diags != nil {
		t.Fatalf("diagnostics: %+v", diags)
	}
	want := []time.Duration{7 * day, 36 * time.Hour, day}
	if diff := cmp.Diff(want, cfg.reminders); diff != "" {
		t.Errorf("reminders (-want +got):\n%s", diff)
	}
	cfg, diags = decodeSettings(sdk.Settings(`{
		"to": ["dpo@vendor.example"], "from": "privacy@example.com",
		"smtp": {"host": "smtp.example.com"}, "reminders": []
	}`))
	if diags != nil || len(cfg.reminders) != 0 {
		t.Errorf("reminders = [] gave %v, %+v; want none", cfg.reminders, diags)
	}
}

func TestDescribe(t *testing.T) {
	d, err := New().Describe(context.Background())
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	if d.Name != "directcontact" || d.Type != sdk.DirectContact || d.Version == "" {
		t.Errorf("Describe = %q %v %q, want directcontact, Direct Contact, a version", d.Name, d.Type, d.Version)
	}
	if !d.Can(sdk.CapabilityAccess) || !d.Can(sdk.CapabilityDelete) || len(d.Capabilities) != 2 {
		t.Errorf("capabilities = %v, want access and delete", d.Capabilities)
	}

	attrs := map[string]sdk.Attribute{}
	var walk func(prefix string, s sdk.Schema)
	walk = func(prefix string, s sdk.Schema) {
		for _, a := range s.Attributes {
			if a.Description == "" {
				t.Errorf("%s%s has no description", prefix, a.Name)
			}
			attrs[prefix+a.Name] = a
		}
		for _, b := range s.Blocks {
			if b.Description == "" {
				t.Errorf("block %s%s has no description", prefix, b.Name)
			}
			walk(prefix+b.Name+".", b.Schema)
		}
	}
	walk("", d.Settings)

	type shape struct {
		Type      sdk.AttributeType
		Required  bool
		Sensitive bool
		Default   any
	}
	want := map[string]shape{
		"to":               {sdk.TypeListOfString, true, false, nil},
		"cc":               {sdk.TypeListOfString, false, false, nil},
		"from":             {sdk.TypeString, false, false, nil},
		"subject_template": {sdk.TypeMapOfString, false, false, defaultSubjectTemplates()},
		"body_template":    {sdk.TypeMapOfString, false, false, defaultBodyTemplates()},
		"due_in":           {sdk.TypeDuration, false, false, "14d"},
		"on_no_response":   {sdk.TypeString, false, false, "block"},
		"reminders":        {sdk.TypeListOfString, false, false, []string{"3d"}},
		"smtp.host":        {sdk.TypeString, true, false, nil},
		"smtp.port":        {sdk.TypeNumber, false, false, 587},
		"smtp.username":    {sdk.TypeString, false, false, nil},
		"smtp.password":    {sdk.TypeString, false, true, nil},
		"smtp.tls":         {sdk.TypeString, false, false, "starttls"},
		"smtp.ca_file":     {sdk.TypeString, false, false, nil},
	}
	got := map[string]shape{}
	for name, a := range attrs {
		got[name] = shape{a.Type, a.Required, a.Sensitive, a.Default}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}
	// Optional: the daemon passes its top-level smtp block when it is absent.
	if len(d.Settings.Blocks) != 1 || d.Settings.Blocks[0].MinItems != 0 || d.Settings.Blocks[0].MaxItems != 1 || d.Settings.Blocks[0].Nesting != sdk.NestingSingle {
		t.Errorf("smtp block = %+v, want one optional single block", d.Settings.Blocks)
	}
}
