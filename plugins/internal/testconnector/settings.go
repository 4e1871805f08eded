package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// settings is the decoded settings block. Every knob but token has a
// default, so a test names only what it exercises.
type settings struct {
	Records    int
	FailWith   sdk.ErrorType
	FailStatus int
	Polls      int
	CrashOn    string
	Token      string
	// Delay holds every job call this long, so tests can catch jobs in
	// flight (to kill the daemon under them).
	Delay time.Duration
	// Ledger is a directory where every job call appends a line (operation,
	// idempotency key, start and end in Unix nanoseconds, pid), so tests
	// running several daemons can prove no job ran twice at once.
	Ledger string
	// Leak puts the subject's email and the token into fail_with's error
	// and a log line, as a careless connector would.
	Leak bool
}

func defaultSettings() settings {
	return settings{Records: 2, Polls: 1}
}

// crashPoints are the calls during which crash_on makes the process exit.
var crashPoints = []string{"", "access", "delete", "poll"}

// knownErrorTypes are the values fail_with accepts.
var knownErrorTypes = []sdk.ErrorType{
	sdk.ErrorAuth, sdk.ErrorPermission, sdk.ErrorRateLimited, sdk.ErrorNotFound,
	sdk.ErrorUnavailable, sdk.ErrorTimeout, sdk.ErrorInvalidConfig,
	sdk.ErrorPluginCrashed, sdk.ErrorInternal,
}

func schema() sdk.Schema {
	return sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "token", Type: sdk.TypeString, Required: true, Sensitive: true,
			Description: `Credential checked by Configure; "wrong" is refused as the third party would.`},
		{Name: "records", Type: sdk.TypeNumber, Default: 2,
			Description: "How many records Access finds."},
		{Name: "fail_with", Type: sdk.TypeString, Default: "",
			Description: `Error type every job fails with, e.g. "rate_limited"; empty to succeed.`},
		{Name: "fail_status", Type: sdk.TypeNumber, Default: 0,
			Description: "Status code carried by fail_with's error."},
		{Name: "polls", Type: sdk.TypeNumber, Default: 1,
			Description: "How many polls answer pending before an asynchronous job completes."},
		{Name: "crash_on", Type: sdk.TypeString, Default: "",
			Description: `Exit the process during "access", "delete" or "poll", to test crash handling.`},
		{Name: "delay", Type: sdk.TypeDuration,
			Description: "How long every job call takes; unset for at once."},
		{Name: "leak", Type: sdk.TypeBool, Default: false,
			Description: "Quote the subject's email and the token in fail_with's error and in a log line."},
		{Name: "ledger", Type: sdk.TypeString,
			Description: "Directory where each job call is recorded, for tests counting overlapping runs."},
	}}
}

// decodeSettings reads raw settings attribute by attribute, so each
// problem is a diagnostic on its own path and all of them come at once.
func decodeSettings(raw sdk.Settings) (settings, []sdk.Diagnostic) {
	s := defaultSettings()
	var diags []sdk.Diagnostic
	fields := map[string]json.RawMessage{}
	if err := raw.Decode(&fields); err != nil {
		return s, []sdk.Diagnostic{sdk.AttributeError(nil, "Settings are not an object", err.Error())}
	}
	get := func(name string, into any) bool {
		v, ok := fields[name]
		if !ok || string(v) == "null" {
			return false
		}
		if err := json.Unmarshal(v, into); err != nil {
			diags = append(diags, sdk.AttributeError([]string{name}, "Wrong type",
				fmt.Sprintf("%s has the wrong type for this setting.", name)))
			return false
		}
		return true
	}
	get("token", &s.Token)
	if s.Token == "" {
		diags = append(diags, sdk.AttributeError([]string{"token"}, "Missing required setting",
			"token must be set to the credential for the test system."))
	}
	var n float64
	if get("records", &n) {
		s.Records = int(n)
		if n < 0 || n != float64(s.Records) {
			diags = append(diags, sdk.AttributeError([]string{"records"}, "Invalid value", "records must be a whole number, 0 or more."))
		}
	}
	if get("polls", &n) {
		s.Polls = int(n)
		if n < 0 || n != float64(s.Polls) {
			diags = append(diags, sdk.AttributeError([]string{"polls"}, "Invalid value", "polls must be a whole number, 0 or more."))
		}
	}
	if get("fail_status", &n) {
		s.FailStatus = int(n)
	}
	var str string
	if get("fail_with", &str) {
		s.FailWith = sdk.ErrorType(str)
		if str != "" && !slices.Contains(knownErrorTypes, s.FailWith) {
			diags = append(diags, sdk.AttributeError([]string{"fail_with"}, "Unknown error type",
				`fail_with must be empty or an error type such as "rate_limited".`))
		}
	}
	if get("crash_on", &s.CrashOn) && !slices.Contains(crashPoints, s.CrashOn) {
		diags = append(diags, sdk.AttributeError([]string{"crash_on"}, "Invalid value",
			`crash_on must be empty, "access", "delete" or "poll".`))
	}
	if get("delay", &str) {
		d, err := sdk.ParseDuration(str)
		if err != nil {
			diags = append(diags, sdk.AttributeError([]string{"delay"}, "Invalid duration", err.Error()))
		}
		s.Delay = d
	}
	get("ledger", &s.Ledger)
	get("leak", &s.Leak)
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if !slices.ContainsFunc(schema().Attributes, func(a sdk.Attribute) bool { return a.Name == name }) {
			diags = append(diags, sdk.AttributeError([]string{name}, "Unsupported setting",
				fmt.Sprintf("%s is not a setting of the test connector.", name)))
		}
	}
	if len(diags) == 0 && s.Token == "wrong" {
		diags = append(diags, sdk.CredentialError([]string{"token"},
			sdk.Errorf(sdk.ErrorAuth, "the test system refused the token").WithStatus(401).
				WithRemediation("Set settings.token to a token the test system accepts (it refuses one fixed value).")))
	}
	return s, diags
}
