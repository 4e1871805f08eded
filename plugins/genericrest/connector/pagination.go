package connector

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dsrhost/dsrhost/sdk"
	"github.com/ohler55/ojg/jp"
)

// fetchRecords sends c and follows its pages, returning every record that
// recordsPath finds. allow404 makes a 404 on the first page mean no records.
func (in *integration) fetchRecords(ctx context.Context, c *call, recordsPath jp.Expr, p *pagination, allow404 bool) ([]any, error) {
	if p != nil && p.kind == pageOffset {
		q := c.url.Query()
		q.Set(p.offsetParam, "0")
		q.Set(p.limitParam, strconv.Itoa(p.limit))
		c.url.RawQuery = q.Encode()
	}
	var all []any
	offset := 0
	seen := map[string]bool{}
	for page := 1; ; page++ {
		resp, err := in.expect(ctx, c, allow404 && page == 1)
		if err != nil {
			return nil, err
		}
		if resp.status == http.StatusNotFound {
			return nil, nil
		}
		doc, err := resp.json(c.ep)
		if err != nil {
			return nil, err
		}
		found := records(recordsPath, doc)
		all = append(all, found...)
		if p == nil {
			return all, nil
		}
		next, err := in.nextPage(c, p, resp, doc, len(found), &offset, seen)
		if err != nil || next == nil {
			return all, err
		}
		if page >= p.maxPages {
			return nil, sdk.Errorf(sdk.ErrorInternal, "%s: stopped after %d pages", c.ep.label(), p.maxPages).
				WithRemediation(fmt.Sprintf("Check settings.%s.pagination, or raise its max_pages if the subject really has that many pages of records.", c.ep.setting))
		}
		c = next
	}
}

// nextPage returns the call for the page after resp, nil after the last.
func (in *integration) nextPage(c *call, p *pagination, resp *response, doc any, found int, offset *int, seen map[string]bool) (*call, error) {
	next := &call{ep: c.ep, body: c.body}
	u := *c.url
	next.url = &u
	switch p.kind {
	case pageOffset:
		if found < p.limit {
			return nil, nil
		}
		*offset += p.limit
		q := u.Query()
		q.Set(p.offsetParam, strconv.Itoa(*offset))
		u.RawQuery = q.Encode()
		return next, nil
	case pageCursor:
		cursor := scalarString(first(p.cursor, doc))
		if cursor == "" {
			return nil, nil
		}
		if seen[cursor] {
			return nil, repeatedPage(c.ep, "cursor")
		}
		seen[cursor] = true
		if p.cursorBody != nil {
			return next, setBodyCursor(next, p.cursorBody, cursor)
		}
		q := u.Query()
		q.Set(p.cursorParam, cursor)
		u.RawQuery = q.Encode()
		return next, nil
	case pageLinkHeader, pageBodyLink:
		var target string
		if p.kind == pageLinkHeader {
			target = nextLink(resp.header.Values("Link"))
		} else {
			target = scalarString(first(p.next, doc))
		}
		if target == "" {
			return nil, nil
		}
		ref, err := url.Parse(target)
		if err != nil {
			return nil, sdk.Errorf(sdk.ErrorUnavailable, "%s: the next page's link is not a URL", c.ep.label()).
				WithRemediation(fmt.Sprintf("Check settings.%s.pagination against the API's documentation.", c.ep.setting))
		}
		abs := c.url.ResolveReference(ref)
		if abs.Scheme != c.url.Scheme || abs.Host != c.url.Host {
			// Credentials go with every request; never to another origin.
			return nil, sdk.Errorf(sdk.ErrorPermission, "%s: the next page's link leaves the API's origin", c.ep.label()).
				WithRemediation("The API linked to another host; the connector does not send credentials there. Check settings.base_url.")
		}
		key := abs.String()
		if seen[key] {
			return nil, repeatedPage(c.ep, "next page link")
		}
		seen[key] = true
		next.url = abs
		return next, nil
	}
	return nil, nil
}

// repeatedPage is the error for an API that hands back a cursor or link it
// gave before: the pages are not ending, and stopping there would report
// fewer records than the subject has, so fewer would be deleted.
func repeatedPage(ep *endpoint, what string) *sdk.Error {
	return sdk.Errorf(sdk.ErrorInternal, "%s: the API answered a %s it gave before, so the pages never end", ep.label(), what).
		WithRemediation(fmt.Sprintf("The API is not reading the cursor where settings.%s.pagination puts it; check cursor_param or cursor_body_path against the API's documentation.", ep.setting))
}

// setBodyCursor puts cursor into c's JSON body at x.
func setBodyCursor(c *call, x jp.Expr, cursor string) error {
	body, err := parseJSON(c.body)
	if _, ok := body.(map[string]any); err != nil || !ok {
		return sdk.Errorf(sdk.ErrorInvalidConfig, "%s: the request body is not a JSON object, so the cursor cannot go in it", c.ep.label()).
			WithRemediation(fmt.Sprintf("Make settings.%s.body a JSON object, or use pagination.cursor_param.", c.ep.setting))
	}
	if err := x.Set(body, cursor); err != nil {
		return sdk.Errorf(sdk.ErrorInvalidConfig, "%s: cannot set the cursor at pagination.cursor_body_path", c.ep.label()).
			WithRemediation(fmt.Sprintf("Check settings.%s.pagination.cursor_body_path: it must name a field of the body, such as $.pagination.starting_after.", c.ep.setting))
	}
	b, err := encodeRecord(body)
	if err != nil {
		return sdk.Errorf(sdk.ErrorInternal, "%s: cannot encode the request body", c.ep.label())
	}
	c.body = b
	return nil
}
