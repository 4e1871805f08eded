package sdk

import (
	"encoding/json"
	"slices"
	"strings"
)

// An identifier found on several records (three users for one email) is
// passed on with every value: AccessResponse.Identifiers carries them as
// one string, a JSON array of strings, which JoinIdentifierValues makes and
// IdentifierValues reads. A single value stays a plain string, so
// connectors that expect one value keep working.

// JoinIdentifierValues returns values, de-duplicated in first-seen order
// and without empty ones, as one identifier: "" for none, the value itself
// for one, a JSON array of strings for several.
func JoinIdentifierValues(values []string) string {
	var uniq []string
	for _, v := range values {
		if v != "" && !slices.Contains(uniq, v) {
			uniq = append(uniq, v)
		}
	}
	switch len(uniq) {
	case 0:
		return ""
	case 1:
		return uniq[0]
	}
	b, _ := json.Marshal(uniq) // strings always encode
	return string(b)
}

// IdentifierValues returns the values of one identifier as
// JoinIdentifierValues wrote it: several for a JSON array of strings, the
// value itself otherwise, none for "".
func IdentifierValues(s string) []string {
	if s == "" {
		return nil
	}
	if strings.HasPrefix(s, `["`) && strings.HasSuffix(s, `"]`) {
		var list []string
		if err := json.Unmarshal([]byte(s), &list); err == nil && len(list) > 1 {
			return list
		}
	}
	return []string{s}
}
