package connector

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"  //nolint:gosec // APIs such as Mailchimp's address members by MD5; not used for security
	"crypto/sha1" //nolint:gosec // offered for APIs that ask for it
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strings"
	"text/template"
	"text/template/parse"
)

// fnEscape is the function escapeActions appends to every printing action.
const fnEscape = "_esc"

// fnHMAC names a key of settings.secrets; Configure checks the key exists.
const fnHMAC = "hmac_sha256"

// arity is how many arguments each of the connector's functions takes,
// counting a piped value as the last.
var arity = map[string]int{
	"lower": 1, "upper": 1, "trim": 1, "md5": 1, "sha1": 1, "sha256": 1,
	fnHMAC: 2, "base64": 1, "urlquery": 1, "json": 1, "default": 2,
}

// rawJSON is what the json function returns: already encoded, so a body
// writes it as is instead of escaping it as the inside of a string.
type rawJSON string

// place is where a template's output goes in a request; it decides how
// values are escaped.
type place int

const (
	inQuery place = iota // encoded by url.Values
	inPath               // URL path escaped
	inBody               // inside a JSON string literal
)

func (p place) escape(s string) string {
	switch p {
	case inPath:
		return url.PathEscape(s)
	case inBody:
		return jsonEscape(s)
	}
	return s
}

// jsonEscape escapes s for a place inside a JSON string literal.
func jsonEscape(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(buf.String(), "\n")
	return out[1 : len(out)-1]
}

// funcs are the template functions, with _esc bound to where the output
// goes and hmac_sha256 to settings.secrets.
func funcs(secrets map[string]string, at place) template.FuncMap {
	digest := func(h func() hash.Hash) func(any) string {
		return func(v any) string {
			sum := h()
			sum.Write([]byte(text(v)))
			return hex.EncodeToString(sum.Sum(nil))
		}
	}
	return template.FuncMap{
		"lower":  func(v any) string { return strings.ToLower(text(v)) },
		"upper":  func(v any) string { return strings.ToUpper(text(v)) },
		"trim":   func(v any) string { return strings.TrimSpace(text(v)) },
		"md5":    digest(md5.New),
		"sha1":   digest(sha1.New),
		"sha256": digest(sha256.New),
		fnHMAC: func(key string, v any) (string, error) {
			secret, ok := secrets[key]
			if !ok {
				return "", fmt.Errorf("no secret %s", key)
			}
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(text(v)))
			return hex.EncodeToString(m.Sum(nil)), nil
		},
		"base64":   func(v any) string { return base64.StdEncoding.EncodeToString([]byte(text(v))) },
		"urlquery": func(v any) string { return url.QueryEscape(text(v)) },
		"json": func(v any) (rawJSON, error) {
			b, err := json.Marshal(finite(v))
			if err != nil {
				return "", errors.New("value cannot be encoded as JSON")
			}
			return rawJSON(b), nil
		},
		"default": func(def, v any) any {
			if v == nil || v == "" {
				return def
			}
			return v
		},
		fnEscape: func(name string, v any) (string, error) {
			switch v := v.(type) {
			case nil:
				return "", fmt.Errorf("missing %s", name)
			case rawJSON:
				if at == inBody {
					return string(v), nil
				}
			}
			return at.escape(text(v)), nil
		},
	}
}

// text formats a template value: scalars as they appear in JSON, other
// values as JSON.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case rawJSON:
		return string(v)
	case []string:
		return strings.Join(v, ",")
	}
	if s := scalarString(v); s != "" {
		return s
	}
	if _, ok := v.(string); ok {
		return ""
	}
	b, err := json.Marshal(finite(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// checkCalls checks every call of the connector's functions under n: its
// number of arguments, and that hmac_sha256 names a key of settings.secrets
// as a literal string.
func checkCalls(n parse.Node, secrets map[string]string) string {
	var problem string
	visitPipes(n, func(p *parse.PipeNode) {
		for i, cmd := range p.Cmds {
			if problem != "" || len(cmd.Args) == 0 {
				return
			}
			id, ok := cmd.Args[0].(*parse.IdentifierNode)
			if !ok {
				continue
			}
			want, ours := arity[id.Ident]
			if !ours {
				continue
			}
			got := len(cmd.Args) - 1
			if i > 0 {
				got++ // the value piped in
			}
			if got != want {
				problem = fmt.Sprintf("%s takes %d argument%s, not %d: write %s.", id.Ident, want, plural(want), got, usage(id.Ident))
				return
			}
			if id.Ident == fnHMAC {
				key, ok := cmd.Args[1].(*parse.StringNode)
				switch {
				case !ok:
					problem = fmt.Sprintf("hmac_sha256's first argument is the name of a key in settings.secrets, as a quoted string: write %s.", usage(fnHMAC))
				case !hasKey(secrets, key.Text):
					problem = fmt.Sprintf("hmac_sha256 uses the key %q, which settings.secrets does not have; add it there (it is sensitive).", key.Text)
				}
			}
		}
	})
	return problem
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

func usage(fn string) string {
	switch fn {
	case fnHMAC:
		return `{{ .email | hmac_sha256 "key_name" }}`
	case "default":
		return `{{ .phone | default "none" }}`
	}
	return fmt.Sprintf("{{ .email | %s }}", fn)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// visitPipes calls visit with every pipeline under n.
func visitPipes(n parse.Node, visit func(*parse.PipeNode)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			visitPipes(c, visit)
		}
	case *parse.ActionNode:
		visitPipes(n.Pipe, visit)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		visit(n)
		for _, c := range n.Cmds {
			for _, a := range c.Args {
				visitPipes(a, visit)
			}
		}
	case *parse.IfNode:
		visitBranchPipes(&n.BranchNode, visit)
	case *parse.RangeNode:
		visitBranchPipes(&n.BranchNode, visit)
	case *parse.WithNode:
		visitBranchPipes(&n.BranchNode, visit)
	case *parse.TemplateNode:
		visitPipes(n.Pipe, visit)
	}
}

func visitBranchPipes(b *parse.BranchNode, visit func(*parse.PipeNode)) {
	visitPipes(b.Pipe, visit)
	visitPipes(b.List, visit)
	visitPipes(b.ElseList, visit)
}
