package connector

import "strings"

// nextLink returns the target of the first link with relation type "next" in
// Link header values, as RFC 8288 section 3 writes them:
//
//	Link: <https://api.example.com/items?page=2>; rel="next", <...>; rel="last"
//
// URIs may hold commas and semicolons, rel may list several space-separated
// relation types compared case-insensitively, and only the first rel
// parameter of a link counts. The Go packages we looked at split the header
// on commas, which breaks on URIs such as ?fields=a,b, hence this parser.
func nextLink(values []string) string {
	for _, s := range values {
		for s != "" {
			s = strings.TrimLeft(s, " \t,")
			if s == "" {
				break
			}
			if s[0] != '<' {
				s = skipLinkValue(s)
				continue
			}
			end := strings.IndexByte(s, '>')
			if end < 0 {
				break
			}
			target := s[1:end]
			s = s[end+1:]
			var rels []string
			sawRel := false
			for {
				s = strings.TrimLeft(s, " \t")
				if s == "" || s[0] == ',' {
					break
				}
				if s[0] != ';' {
					s = skipLinkValue(s)
					break
				}
				s = strings.TrimLeft(s[1:], " \t")
				name := token(s)
				s = strings.TrimLeft(s[len(name):], " \t")
				value := ""
				if s != "" && s[0] == '=' {
					s = strings.TrimLeft(s[1:], " \t")
					if s != "" && s[0] == '"' {
						value, s = quoted(s)
					} else {
						value = token(s)
						s = s[len(value):]
					}
				}
				if strings.EqualFold(name, "rel") && !sawRel {
					sawRel = true
					rels = strings.Fields(value)
				}
			}
			for _, r := range rels {
				if strings.EqualFold(r, "next") {
					return target
				}
			}
		}
	}
	return ""
}

// token returns the leading token of s.
func token(s string) string {
	i := strings.IndexAny(s, " \t;,=\"")
	if i < 0 {
		return s
	}
	return s[:i]
}

// quoted reads the quoted-string at the start of s, returning its unescaped
// value and the rest of s.
func quoted(s string) (string, string) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), ""
}

// skipLinkValue drops a malformed link-value up to the next comma outside a
// quoted string.
func skipLinkValue(s string) string {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && inQuote:
			i++
		case s[i] == '"':
			inQuote = !inQuote
		case s[i] == ',' && !inQuote:
			return s[i+1:]
		}
	}
	return ""
}
