package sdk

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJSONRecords(t *testing.T) {
	objs := []json.RawMessage{json.RawMessage(`{"id":"c-1","name":"Ada"}`), json.RawMessage(`{"id":42}`), json.RawMessage(`{"name":"no id"}`)}
	got := JSONRecords("contact", "id", objs)
	want := []Record{{ID: "c-1", Kind: "contact", Data: objs[0]}, {ID: "42", Kind: "contact", Data: objs[1]}, {ID: "", Kind: "contact", Data: objs[2]}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSONRecords (-want +got):\n%s", diff)
	}
}

func TestCheckCredentials(t *testing.T) {
	called := false
	refused := func() error { called = true; return Errorf(ErrorAuth, "refused").WithStatus(401) }
	if resp := CheckCredentials(&ConfigureRequest{ValidateOnly: true}, []string{"token"}, refused); resp.HasErrors() || called {
		t.Errorf("ValidateOnly: diagnostics %+v, check called %v; want neither", resp.Diagnostics, called)
	}
	resp := CheckCredentials(&ConfigureRequest{}, []string{"token"}, refused)
	if !resp.HasErrors() || resp.Diagnostics[0].Err == nil || resp.Diagnostics[0].Err.StatusCode != 401 || resp.Diagnostics[0].Path[0] != "token" {
		t.Errorf("refused credentials: %+v", resp.Diagnostics)
	}
	if resp := CheckCredentials(&ConfigureRequest{}, nil, func() error { return nil }); resp.HasErrors() {
		t.Errorf("accepted credentials drew %+v", resp.Diagnostics)
	}
	if resp := CheckCredentials(&ConfigureRequest{}, nil, func() error { return errors.New("plain") }); !resp.HasErrors() || resp.Diagnostics[0].Err.Type != ErrorInternal {
		t.Errorf("a plain error: %+v", resp.Diagnostics)
	}
}
