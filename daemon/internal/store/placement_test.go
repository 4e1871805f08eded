package store

import (
	"strings"
	"testing"
)

func TestPlace(t *testing.T) {
	tests := []struct {
		name    string
		version int64
		docLen  int
		inline  bool
	}{
		{"empty", 1, 0, true},
		{"fills the value", 7, maxListpackValue - 2, true},
		{"one byte over", 7, maxListpackValue - 1, false},
		{"long version", 123456, maxListpackValue - 7, true},
		{"long version over", 123456, maxListpackValue - 6, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Repeat("\xff|>", tt.docLen)[:tt.docLen]
			main, ext := place(tt.version, []byte(doc))
			if len(main) > maxListpackValue {
				t.Errorf("request hash value of %d bytes", len(main))
			}
			if (ext == nil) != tt.inline || inExt(string(main)) == tt.inline {
				t.Errorf("inline = %v (inExt %v), want %v", ext == nil, inExt(string(main)), tt.inline)
			}
			exts := map[string]string{}
			if ext != nil {
				exts["f"] = string(ext)
			}
			v, got, err := docOf("f", string(main), exts)
			if err != nil || v != tt.version || got != doc {
				t.Errorf("docOf = %d, %q, %v; want %d, %q", v, got, err, tt.version, doc)
			}
		})
	}
	for _, bad := range []string{"", "|doc", "x|doc", "12", "3>"} {
		if _, _, err := docOf("f", bad, nil); err == nil {
			t.Errorf("docOf(%q): no error", bad)
		}
	}
}
