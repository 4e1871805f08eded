package connector

import (
	"context"
	"net/http"
)

// runSteps sends steps in order and returns data with every step's
// outputs under "outputs": one value as a string, several (or none) as a
// []string, so a later request is sent once per value (or not at all).
// With allow404 a step answered 404 gives no outputs instead of an error:
// a retry after a partial deletion finds the first step's work done.
func (in *integration) runSteps(ctx context.Context, steps []*step, data map[string]any, allow404 bool) (map[string]any, error) {
	if len(steps) == 0 {
		return data, nil
	}
	outputs := map[string]any{}
	for _, st := range steps {
		calls, err := in.builds(&st.endpoint, with(data, varOutputs, outputs))
		if err != nil {
			return nil, err
		}
		found := map[string][]string{}
		for _, c := range calls {
			resp, err := in.expect(ctx, c, allow404)
			if err != nil {
				return nil, err
			}
			if resp.status == http.StatusNotFound || len(st.outputs) == 0 {
				continue
			}
			doc, err := resp.json(c.ep)
			if err != nil {
				return nil, err
			}
			for _, o := range st.outputs {
				found[o.name] = append(found[o.name], scalars(o.path.Get(doc))...)
			}
		}
		outputs = with(outputs)
		for _, o := range st.outputs {
			if vals := dedupe(found[o.name]); len(vals) == 1 {
				outputs[o.name] = vals[0]
			} else {
				outputs[o.name] = append([]string{}, vals...)
			}
		}
	}
	return with(data, varOutputs, outputs), nil
}

// scalars returns the scalar values among vs, arrays taken element by
// element.
func scalars(vs []any) []string {
	var out []string
	for _, v := range vs {
		if list, ok := v.([]any); ok {
			out = append(out, scalars(list)...)
			continue
		}
		if s := scalarString(v); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func dedupe(vs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
