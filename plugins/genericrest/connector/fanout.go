package connector

import (
	"fmt"
	"strings"
)

// maxVariants bounds how many times one request is sent for one job.
const maxVariants = 10000

// expand returns data once for every combination of the values of refs
// that have several ([]string): each copy holds one of them. A name with
// no value ([]string{}) yields no copy at all. refs name top-level data
// ("email") or step outputs ("outputs.id").
func expand(data map[string]any, refs []string) ([]map[string]any, error) {
	out := []map[string]any{data}
	for _, ref := range refs {
		values, ok := lookup(data, ref).([]string)
		if !ok {
			continue
		}
		if len(out)*len(values) > maxVariants {
			return nil, fmt.Errorf("the values it reads make more than %d requests", maxVariants)
		}
		next := make([]map[string]any, 0, len(out)*len(values))
		for _, d := range out {
			for _, v := range values {
				next = append(next, assign(d, ref, v))
			}
		}
		out = next
	}
	return out, nil
}

func lookup(data map[string]any, ref string) any {
	name, output, nested := strings.Cut(ref, ".")
	if !nested {
		return data[ref]
	}
	outputs, _ := data[name].(map[string]any)
	return outputs[output]
}

// assign returns a copy of data with ref set to v.
func assign(data map[string]any, ref string, v string) map[string]any {
	name, output, nested := strings.Cut(ref, ".")
	if !nested {
		return with(data, ref, v)
	}
	outputs, _ := data[name].(map[string]any)
	return with(data, name, with(outputs, output, v))
}
