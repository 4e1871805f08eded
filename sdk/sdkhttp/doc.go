// Package sdkhttp is the small HTTP helper a connector for a JSON REST API
// needs: it turns a third party's answers into the *sdk.Error the daemon
// schedules by (status codes to error types, Retry-After to RetryAfter,
// each with a remediation an admin can act on), so a connector maps no
// status code by hand.
//
// A connector keeps one [Client] per integration, built in Configure:
//
//	c.api = &sdkhttp.Client{BaseURL: s.BaseURL, Service: "Newsletter", Header: sdkhttp.Bearer(s.Token)}
//
// and calls it from its jobs:
//
//	var page struct{ Subscribers []subscriber }
//	err := c.api.Do(ctx, "GET", "/subscribers?email="+url.QueryEscape(email), nil, &page)
//
// A non-2xx answer becomes an *sdk.Error of the type its status means (401
// auth, 403 permission, 404 not_found, 408 and 504 timeout, 429
// rate_limited with the Retry-After wait, other 5xx unavailable, other 4xx
// internal), carrying the status code; a request that got no answer
// becomes unavailable or timeout. Messages name Service and never the URL
// or the answer's body, which may quote the subject: the daemon redacts
// errors anyway, but the connector's own error should not need it.
package sdkhttp
