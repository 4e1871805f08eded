package connector

import (
	"fmt"
	"slices"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/ohler55/ojg/jp"
)

// successCheck reads success or failure from an answer's body, for APIs
// that answer 2xx with an error in it.
type successCheck struct {
	path   jp.Expr
	ok     []string // empty: anything not in failed succeeds
	failed []string
}

// check returns an error when resp's body says the request failed. The
// value at success_path is shown only when it is one the settings list,
// so nothing the API echoed back (possibly personal) leaves the connector.
func (s *successCheck) check(ep *endpoint, resp *response) error {
	doc, err := resp.json(ep)
	if err != nil {
		return err
	}
	v := scalarString(first(s.path, doc))
	switch {
	case slices.Contains(s.failed, v):
		return failedAnswer(ep, fmt.Sprintf("%q", v))
	case len(s.ok) > 0 && !slices.Contains(s.ok, v):
		return failedAnswer(ep, "a value not in success_values")
	}
	return nil
}

// failedAnswer is the error for a 2xx answer whose body reports a failure.
// It is not transient: the same request would fail again, so the attempt
// fails and is retried as the integration's retry_interval says.
func failedAnswer(ep *endpoint, what string) *sdk.Error {
	return sdk.Errorf(sdk.ErrorInternal, "%s answered success but its body reports failure: %s at settings.%s.success_path", ep.label(), what, ep.setting).
		WithRemediation(fmt.Sprintf("The API refused the request although its status code says success; check the API's error for %s and settings.%s against its documentation.", ep.label(), ep.setting))
}
