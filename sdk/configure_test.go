package sdk

import "testing"

func TestCredentialErrorWithoutAnError(t *testing.T) {
	d := CredentialError([]string{"token"}, nil)
	if d.Severity != SeverityError || d.Err == nil || d.Err.Type != ErrorAuth || d.Summary == "" {
		t.Errorf("CredentialError(path, nil) = %+v, want an auth error diagnostic", d)
	}
}
