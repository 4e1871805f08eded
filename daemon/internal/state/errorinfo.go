package state

import "github.com/dsrhost/dsrhost/sdk"

// ErrorInfo is what an operator needs to fix an integration in Error: the
// error's type, the third party's status code, and a remediation sentence.
// Connectors keep personal data out of Message, so it may be shown.
type ErrorInfo struct {
	Type        sdk.ErrorType
	StatusCode  int
	Message     string
	Remediation string
	// Retryable says an automatic retry may succeed.
	Retryable bool
}

// ErrorFrom converts a connector's error.
func ErrorFrom(err error) *ErrorInfo {
	e := sdk.AsError(err)
	if e == nil {
		return nil
	}
	return &ErrorInfo{Type: e.Type, StatusCode: e.StatusCode, Message: e.Message, Remediation: e.Remediation, Retryable: e.Retryable}
}
