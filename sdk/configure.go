package sdk

import (
	"encoding/json"
	"fmt"
)

// Settings is an integration's settings block, decoded by the daemon against
// the connector's schema (defaults filled in) and carried as a JSON object.
type Settings json.RawMessage

// Decode unmarshals the settings into v, typically a struct with json tags
// named after the schema's attributes.
func (s Settings) Decode(v any) error {
	if len(s) == 0 {
		return json.Unmarshal([]byte("{}"), v)
	}
	if err := json.Unmarshal(s, v); err != nil {
		return fmt.Errorf("decode settings: %w", err)
	}
	return nil
}

// ConfigureRequest carries one integration's settings.
type ConfigureRequest struct {
	// Integration is the integration's name in the configuration.
	Integration string
	Settings    Settings
	// ValidateOnly asks for the settings to be checked without contacting
	// the third party (credentials are not tried). `dsrhost validate` sets
	// it, because validation must work offline.
	ValidateOnly bool
}

// ConfigureResponse lists every problem with the settings; none means the
// connector is ready.
type ConfigureResponse struct {
	Diagnostics []Diagnostic
	// Type and Capabilities, when set, narrow what Describe reported for
	// this integration alone: a generic connector whose settings only
	// delete by identity is a [WholeRecordDeletionAPI] that cannot access.
	// Zero values keep Describe's.
	Type         IntegrationType
	Capabilities []Capability
}

// HasErrors reports whether any diagnostic is an error.
func (r *ConfigureResponse) HasErrors() bool {
	for _, d := range r.Diagnostics {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Severity of a diagnostic.
type Severity int

// The severities.
const (
	SeverityError Severity = iota + 1
	SeverityWarning
)

// Diagnostic is one problem with the settings.
type Diagnostic struct {
	Severity Severity
	Summary  string
	Detail   string
	// Path is the attribute at fault, e.g. []string{"auth", "token"}; the
	// daemon turns it into the file, line and column of that attribute.
	Path []string
	// Err is set when the third party refused (a bad key, a missing scope).
	Err *Error
}

// AttributeError is a diagnostic about one attribute.
func AttributeError(path []string, summary, detail string) Diagnostic {
	return Diagnostic{Severity: SeverityError, Summary: summary, Detail: detail, Path: path}
}

// CredentialError is a diagnostic for credentials the third party refused,
// pointing at the attribute that holds them.
func CredentialError(path []string, err *Error) Diagnostic {
	if err == nil {
		err = Errorf(ErrorAuth, "the third party refused the credentials")
	}
	return Diagnostic{Severity: SeverityError, Summary: err.Message, Detail: err.Remediation, Path: path, Err: err}
}

// CheckCredentials answers Configure after trying the credentials with
// check, a cheap call to the third party (who am I, list one item): no
// diagnostic when it succeeds, otherwise a [CredentialError] at path
// carrying check's error. Under ValidateOnly check is not called, as
// validation must work offline.
func CheckCredentials(req *ConfigureRequest, path []string, check func() error) *ConfigureResponse {
	if req.ValidateOnly {
		return &ConfigureResponse{}
	}
	if err := check(); err != nil {
		return &ConfigureResponse{Diagnostics: []Diagnostic{CredentialError(path, AsError(err))}}
	}
	return &ConfigureResponse{}
}
