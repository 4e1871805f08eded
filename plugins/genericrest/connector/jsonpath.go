package connector

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ohler55/ojg/jp"
	"github.com/ohler55/ojg/oj"
)

// compilePath parses a JSONPath such as $.data[*] or, relative to a record,
// $.id. The returned problem is a sentence for a diagnostic.
func compilePath(text string) (jp.Expr, string) {
	if strings.TrimSpace(text) == "" {
		return nil, "A JSONPath such as $.data[*] is required."
	}
	x, err := jp.ParseString(text)
	if err != nil {
		return nil, fmt.Sprintf("Not a valid JSONPath: %s.", err)
	}
	return x, ""
}

// parseJSON decodes a response body. ojg keeps integers as int64 and the
// ones too large for it as json.Number, so record ids survive exactly.
func parseJSON(body []byte) (any, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, nil
	}
	v, err := oj.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("parse JSON: %w", err)
	}
	return v, nil
}

// first returns the first value x finds in doc, nil when none.
func first(x jp.Expr, doc any) any {
	if x == nil || doc == nil {
		return nil
	}
	got := x.Get(doc)
	if len(got) == 0 {
		return nil
	}
	return got[0]
}

// scalarString formats a JSON scalar as it appears in the document; it
// returns "" for null, objects and arrays.
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// records returns what x finds in doc, an array found being taken element by
// element, so both $.data and $.data[*] name the records; nulls are not
// records.
func records(x jp.Expr, doc any) []any {
	if doc == nil {
		return nil
	}
	var out []any
	for _, v := range x.Get(doc) {
		if list, ok := v.([]any); ok {
			for _, e := range list {
				if e != nil {
					out = append(out, e)
				}
			}
			continue
		}
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

// encodeRecord encodes a parsed record as JSON. A number beyond float64's
// range parses as an infinity, which JSON cannot carry; it is written back
// as 1e999 (or -1e999) rather than dropping the record.
func encodeRecord(v any) (json.RawMessage, error) {
	b, err := json.Marshal(finite(v))
	if err != nil {
		return nil, fmt.Errorf("encode record: %w", err)
	}
	return b, nil
}

func finite(v any) any {
	switch v := v.(type) {
	case float64:
		switch {
		case math.IsInf(v, 1):
			return json.Number("1e999")
		case math.IsInf(v, -1):
			return json.Number("-1e999")
		case math.IsNaN(v):
			return nil
		}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = finite(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = finite(e)
		}
		return out
	}
	return v
}
