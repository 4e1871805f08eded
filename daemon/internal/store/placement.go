package store

import (
	"fmt"
	"strconv"
	"strings"
)

// Where an object's document is kept. Redis keeps a hash in its compact
// listpack encoding only while every value is at most
// hash-max-listpack-value bytes (64 by default), and converts it to a
// hashtable, several times the size, for good at the first longer value.
// So the request hash holds each object's version, and its document when
// it fits: "<version>|<document>". A longer document (one holding a sealed
// async handle or note, an error's remediation, long names) goes to the
// request's ":ext" hash under the same field, the request hash keeping
// "<version>>". The commit script reads the version alike in both forms.
const (
	maxListpackValue = 64
	sepInline        = '|'
	sepExt           = '>'
)

// place returns what the request hash holds for a document at version,
// and what the ext hash holds (nil when the document fits inline).
func place(version int64, doc []byte) (main, ext []byte) {
	main = make([]byte, 0, min(maxListpackValue, 21+len(doc)))
	main = strconv.AppendInt(main, version, 10)
	if len(main)+1+len(doc) > maxListpackValue {
		return append(main, sepExt), doc
	}
	main = append(main, sepInline)
	return append(main, doc...), nil
}

// docOf reads field f of the request hash, whose value is v: its version
// and its document, from ext when it was too long to keep inline.
func docOf(f, v string, ext map[string]string) (int64, string, error) {
	i := versionEnd(v)
	if i <= 0 {
		return 0, "", fmt.Errorf("field %q holds no version", f)
	}
	version, err := strconv.ParseInt(v[:i], 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("field %q holds no version", f)
	}
	if v[i] == sepInline {
		return version, v[i+1:], nil
	}
	doc, ok := ext[f]
	if !ok {
		return 0, "", fmt.Errorf("field %q is continued in the ext hash, which lacks it", f)
	}
	return version, doc, nil
}

// inExt reports whether a request hash value keeps its document in the ext
// hash: "<version>>".
func inExt(v string) bool {
	i := versionEnd(v)
	return i > 0 && v[i] == sepExt
}

// versionEnd is where a request hash value's version ends: the index of
// its separator, or -1 when it has none.
func versionEnd(v string) int { return strings.IndexAny(v, string(sepInline)+string(sepExt)) }
