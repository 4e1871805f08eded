package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestIndexIsOptionalAndReadable(t *testing.T) {
	r := &engine.Request{ID: "01JABCDEFGHJKMNPQRSTVWXYZ0", Type: sdk.RequestAccess, CreatedAt: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}
	results := []engine.Result{
		{Integration: "crm", Workflow: state.Extracting, Records: []sdk.Record{{ID: "1", Data: []byte(`{"name":"Ada"}`)}, {ID: "2"}}},
		{Integration: "support", Workflow: state.Extracting, Files: []sdk.File{{Name: "tickets.csv", Content: []byte("a,b\n")}}},
	}
	tests := []struct {
		name      string
		opts      Options
		wantIndex []string
	}{
		{"operator export", Options{Now: time.Unix(0, 0)}, nil},
		{"subject download", Options{Now: time.Unix(0, 0), Index: true, Organisation: "Example Ltd"},
			[]string{"held about you by Example Ltd", "crm: 2 records, in integrations/crm.json", "support: 0 records", "and 1 document in files/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(context.Background(), &buf, r, results, tt.opts); err != nil {
				t.Fatal(err)
			}
			zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			var index string
			for _, f := range zr.File {
				if f.Name == "index.txt" {
					rc, _ := f.Open()
					b, _ := io.ReadAll(rc)
					rc.Close()
					index = string(b)
				}
			}
			if tt.wantIndex == nil && index != "" {
				t.Errorf("an export without Index holds index.txt")
			}
			for _, w := range tt.wantIndex {
				if !strings.Contains(index, w) {
					t.Errorf("index.txt lacks %q:\n%s", w, index)
				}
			}
		})
	}
}
