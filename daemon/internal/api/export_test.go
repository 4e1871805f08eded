package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sort"
	"testing"

	"connectrpc.com/connect"
	"github.com/dsrhost/dsrhost/daemon/internal/api"
	"github.com/dsrhost/dsrhost/daemon/internal/api/apitest"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
	"github.com/dsrhost/dsrhost/sdk"
)

func unzip(t *testing.T, archive []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatalf("archive is not a zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

// TestExportResults checks the archive: a manifest, one JSON file per
// integration with its records as the third party sent them, and uploaded
// files under names that cannot escape the archive's folders.
func TestExportResults(t *testing.T) {
	fe := &apitest.FakeEngine{ResultsFunc: func(context.Context, string) ([]engine.Result, error) {
		return []engine.Result{
			{Integration: "crm", Workflow: state.Extracting, Identifiers: map[string]string{"user_id": "u-1"},
				Records: []sdk.Record{{ID: "c-1", Kind: "contact", Data: []byte(`{"name":"Ada"}`)}, {ID: "c-2", Kind: "note", Data: []byte(`not json`)}}},
			{Integration: "acme-support", Workflow: state.Extracting, Files: []sdk.File{
				{Name: "../../etc/passwd", ContentType: "text/plain", Content: []byte("one")},
				{Name: "export.csv", ContentType: "text/csv", Content: []byte("a,b\n")},
				{Name: "export.csv", ContentType: "text/csv", Content: []byte("c,d\n")},
			}},
		}, nil
	}}
	srv := apitest.Start(t, api.Options{Engine: fe})
	c := newClients(t, srv, protocols[1], apitest.ViewerToken)
	res, err := c.requests.ExportResults(t.Context(), connect.NewRequest(&adminv1.ExportResultsRequest{Id: apitest.SampleID}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Msg.GetFilename() != "dsrhost-"+apitest.SampleID+".zip" {
		t.Errorf("filename %q", res.Msg.GetFilename())
	}
	files := unzip(t, res.Msg.GetArchive())
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	want := []string{
		"files/acme-support/_.._etc_passwd",
		"files/acme-support/export-2.csv",
		"files/acme-support/export.csv",
		"integrations/acme-support.json",
		"integrations/crm.json",
		"manifest.json",
	}
	if len(names) != len(want) {
		t.Fatalf("entries %q, want %q", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("entries %q, want %q", names, want)
		}
	}
	if string(files["files/acme-support/export-2.csv"]) != "c,d\n" {
		t.Errorf("second export.csv holds %q", files["files/acme-support/export-2.csv"])
	}

	var crm struct {
		Integration string            `json:"integration"`
		Identifiers map[string]string `json:"identifiers"`
		Records     []struct {
			ID   string          `json:"id"`
			Kind string          `json:"kind"`
			Data json.RawMessage `json:"data"`
		} `json:"records"`
	}
	if err := json.Unmarshal(files["integrations/crm.json"], &crm); err != nil {
		t.Fatalf("crm.json: %v", err)
	}
	compact := func(raw json.RawMessage) string {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			t.Fatalf("record data %s: %v", raw, err)
		}
		return b.String()
	}
	if crm.Integration != "crm" || len(crm.Records) != 2 || compact(crm.Records[0].Data) != `{"name":"Ada"}` ||
		string(crm.Records[1].Data) != `"not json"` || crm.Identifiers["user_id"] != "u-1" {
		t.Errorf("crm.json = %s", files["integrations/crm.json"])
	}

	var manifest struct {
		RequestID    string `json:"request_id"`
		Integrations []struct {
			Integration string `json:"integration"`
			File        string `json:"file"`
			Records     int    `json:"records"`
			Files       int    `json:"files"`
		} `json:"integrations"`
	}
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if manifest.RequestID != apitest.SampleID || len(manifest.Integrations) != 2 ||
		manifest.Integrations[1].File != "integrations/acme-support.json" || manifest.Integrations[1].Files != 3 {
		t.Errorf("manifest.json = %s", files["manifest.json"])
	}
}
