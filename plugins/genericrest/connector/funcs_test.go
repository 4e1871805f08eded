package connector

import (
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // the function under test
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func hexOf(sum [16]byte) string { return hex.EncodeToString(sum[:]) }

func hmacOf(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// TestTemplateFunctions renders each function where templates are used:
// the function sees the raw value, and only its output is escaped for the
// path, the query or the body.
func TestTemplateFunctions(t *testing.T) {
	const email = "Ada+Tag@Example.com "
	data := map[string]any{"email": email, "record": map[string]any{"id": int64(42), "tags": []any{"a", "b"}}}
	secrets := map[string]string{"pepper": "s3cret"}
	tests := []struct {
		text string
		at   place
		want string
	}{
		{`{{ .email | lower }}`, inQuery, "ada+tag@example.com "},
		{`{{ .email | upper }}`, inQuery, "ADA+TAG@EXAMPLE.COM "},
		{`{{ .email | trim }}`, inQuery, "Ada+Tag@Example.com"},
		// Mailchimp's subscriber hash: of the raw value, not an escaped one.
		{`/m/{{ .email | trim | lower | md5 }}`, inPath, "/m/" + hexOf(md5.Sum([]byte("ada+tag@example.com")))},
		{`{{ "abc" | sha1 }}`, inQuery, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{`{{ "abc" | sha256 }}`, inQuery, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{`{{ "abc" | hmac_sha256 "pepper" }}`, inQuery, hmacOf("s3cret", "abc")},
		{`{{ "a/b" | base64 }}`, inPath, "YS9i"},
		{`{{ .email | trim | urlquery }}`, inQuery, "Ada%2BTag%40Example.com"},
		{`/u/{{ .email | trim }}`, inPath, "/u/Ada+Tag@Example.com"},
		{`/u/{{ "a/b?c" }}`, inPath, "/u/a%2Fb%3Fc"},
		{`{"e": "{{ "say \"hi\"" }}"}`, inBody, `{"e": "say \"hi\""}`},
		{`{"tags": {{ json .record.tags }}, "id": {{ json .record.id }}}`, inBody, `{"tags": ["a","b"], "id": 42}`},
		{`{{ .phone | default "none" }}`, inQuery, "none"},
		{`{{ .email | trim | default "none" }}`, inQuery, "Ada+Tag@Example.com"},
	}
	for _, tt := range tests {
		c, problem := compileTemplate("t", tt.text, scope{subject: true, record: true}, tt.at, secrets)
		if problem != "" {
			t.Errorf("%s: %s", tt.text, problem)
			continue
		}
		got, err := render(c, "access.path", data)
		if err != nil {
			t.Errorf("%s: %v", tt.text, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestTemplateFunctionMisuse: Configure refuses a function called with the
// wrong number of arguments or an hmac key settings.secrets lacks, with a
// sentence that shows the right use.
func TestTemplateFunctionMisuse(t *testing.T) {
	secrets := map[string]string{"pepper": "x"}
	tests := []struct{ text, want string }{
		{`{{ .email | hmac_sha256 }}`, `hmac_sha256 takes 2 arguments, not 1`},
		{`{{ hmac_sha256 "pepper" "a" "b" }}`, `hmac_sha256 takes 2 arguments, not 3`},
		{`{{ .email | hmac_sha256 "salt" }}`, `the key "salt", which settings.secrets does not have`},
		{`{{ .email | hmac_sha256 .phone }}`, `as a quoted string`},
		{`{{ md5 }}`, `md5 takes 1 argument, not 0`},
		{`{{ lower .email .phone }}`, `lower takes 1 argument, not 2`},
		{`{{ .email | default }}`, `default takes 2 arguments, not 1`},
		{`{{ if .email }}{{ .email | json "x" }}{{ end }}`, `json takes 1 argument, not 2`},
		{`{{ .email | sha512 }}`, `function "sha512" not defined`},
	}
	for _, tt := range tests {
		_, problem := compileTemplate("t", tt.text, scope{subject: true}, inPath, secrets)
		if !strings.Contains(problem, tt.want) {
			t.Errorf("%s: problem %q, want %q", tt.text, problem, tt.want)
		}
	}
}
