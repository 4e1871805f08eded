package connector

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/sdk"
)

// settings are an integration's validated settings.
type settings struct {
	AppID         string
	APIKey        string
	BaseURL       string // scheme://host[/prefix], no trailing slash
	IdentityField string
	SendUserID    bool
	Timeout       time.Duration
}

// maxTimeout bounds the timeout setting: a longer wait only holds a worker.
const maxTimeout = 10 * time.Minute

// parseSettings decodes and validates settings, reporting every problem at
// once, each on its own attribute. Values are never quoted in diagnostics:
// api_key is secret, and the others need not be repeated to be found.
func parseSettings(raw sdk.Settings) (*settings, []sdk.Diagnostic) {
	var fields map[string]json.RawMessage
	if err := raw.Decode(&fields); err != nil {
		return nil, []sdk.Diagnostic{sdk.AttributeError(nil, "Settings are not an object",
			"The Heap connector's settings must be an object of attributes.")}
	}
	var (
		s     settings
		diags []sdk.Diagnostic
		d     *sdk.Diagnostic
	)
	add := func(d *sdk.Diagnostic) {
		if d != nil {
			diags = append(diags, *d)
		}
	}
	known := []string{settingAppID, settingAPIKey, settingBaseURL, settingIdentityField, settingSendUserID, settingTimeout}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(known, name) {
			add(&sdk.Diagnostic{Severity: sdk.SeverityError, Path: []string{name},
				Summary: "Unsupported setting",
				Detail:  fmt.Sprintf("The Heap connector has no setting %q; it accepts %s.", name, strings.Join(known, ", "))})
		}
	}

	s.AppID, d = str(fields, settingAppID, "")
	add(d)
	if d == nil {
		add(checkAppID(s.AppID))
	}
	s.APIKey, d = str(fields, settingAPIKey, "")
	add(d)
	if d == nil && strings.TrimSpace(s.APIKey) == "" {
		add(required(settingAPIKey, "the API key generated in Heap under Account, Manage, Privacy & Security"))
	}
	var base string
	base, d = str(fields, settingBaseURL, defaultBaseURL)
	add(d)
	if d == nil {
		var ds []sdk.Diagnostic
		s.BaseURL, ds = checkBaseURL(base)
		diags = append(diags, ds...)
	}
	s.IdentityField, d = str(fields, settingIdentityField, defaultIdentityField)
	add(d)
	if d == nil && (s.IdentityField == "" || strings.TrimSpace(s.IdentityField) != s.IdentityField) {
		add(&sdk.Diagnostic{Severity: sdk.SeverityError, Path: []string{settingIdentityField},
			Summary: "Invalid identity field",
			Detail:  `identity_field must name an identifier without surrounding spaces: "email", "phone", "user_id", or a key of the request's further identifiers.`})
	}
	s.SendUserID, d = boolean(fields, settingSendUserID, false)
	add(d)
	var timeout string
	timeout, d = str(fields, settingTimeout, defaultTimeout)
	add(d)
	if d == nil {
		s.Timeout, d = checkTimeout(timeout)
		add(d)
	}
	for _, diag := range diags {
		if diag.Severity == sdk.SeverityError {
			return nil, diags
		}
	}
	return &s, diags
}

// str reads a string attribute; absent or null gives def.
func str(fields map[string]json.RawMessage, name, def string) (string, *sdk.Diagnostic) {
	raw, ok := fields[name]
	if !ok || string(raw) == "null" {
		return def, nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", wrongType(name, "a string")
	}
	return v, nil
}

// boolean reads a bool attribute; absent or null gives def.
func boolean(fields map[string]json.RawMessage, name string, def bool) (bool, *sdk.Diagnostic) {
	raw, ok := fields[name]
	if !ok || string(raw) == "null" {
		return def, nil
	}
	var v bool
	if err := json.Unmarshal(raw, &v); err != nil {
		return false, wrongType(name, "true or false")
	}
	return v, nil
}

func wrongType(name, want string) *sdk.Diagnostic {
	return &sdk.Diagnostic{Severity: sdk.SeverityError, Path: []string{name},
		Summary: "Incorrect setting type", Detail: fmt.Sprintf("%s must be %s.", name, want)}
}

func required(name, what string) *sdk.Diagnostic {
	return &sdk.Diagnostic{Severity: sdk.SeverityError, Path: []string{name},
		Summary: "Missing required setting", Detail: fmt.Sprintf("Set %s to %s.", name, what)}
}

func checkAppID(id string) *sdk.Diagnostic {
	if strings.TrimSpace(id) == "" {
		return required(settingAppID, "the App ID of your Heap Main Production environment")
	}
	// The app id is the user name of HTTP Basic auth, which cannot hold a
	// colon; spaces are always a copy-and-paste slip.
	if strings.ContainsAny(id, ": \t\r\n") {
		return &sdk.Diagnostic{Severity: sdk.SeverityError, Path: []string{settingAppID},
			Summary: "Invalid Heap App ID",
			Detail:  "app_id must not contain spaces or colons; copy it from Heap under Account, Manage, Privacy & Security."}
	}
	return nil
}

// checkBaseURL normalises base_url. A plain http URL to anything but the
// local machine is allowed with a warning, since the API key would cross the
// network in clear text.
func checkBaseURL(raw string) (string, []sdk.Diagnostic) {
	bad := func(detail string) []sdk.Diagnostic {
		return []sdk.Diagnostic{sdk.AttributeError([]string{settingBaseURL}, "Invalid Heap base URL", detail)}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", bad(`base_url must be an absolute http or https URL such as "https://heapanalytics.com".`)
	}
	if u.User != nil {
		return "", bad("base_url must not carry credentials; set app_id and api_key instead.")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", bad("base_url must not have a query or a fragment.")
	}
	var diags []sdk.Diagnostic
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		diags = append(diags, sdk.Diagnostic{Severity: sdk.SeverityWarning, Path: []string{settingBaseURL},
			Summary: "Heap base URL is not encrypted",
			Detail:  "base_url uses http, so the API key and the subjects' identities cross the network in clear text; use https."})
	}
	return strings.TrimSuffix(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), diags
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkTimeout(raw string) (time.Duration, *sdk.Diagnostic) {
	d, err := sdk.ParseDuration(raw)
	if err != nil || d <= 0 || d > maxTimeout {
		return 0, &sdk.Diagnostic{Severity: sdk.SeverityError, Path: []string{settingTimeout},
			Summary: "Invalid timeout",
			Detail:  fmt.Sprintf("timeout must be a duration above zero and at most %s, such as %q.", maxTimeout, defaultTimeout)}
	}
	return d, nil
}
