package config

import (
	"net/url"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// corsOrigins decodes server.cors_origins: the browser origins allowed to
// call the admin API from another site, each scheme://host[:port] exactly
// as a browser sends it in Origin, or "*" for any (the API's bearer tokens
// are not ambient credentials, so "*" lets no page act without a token).
// One "*" in a host, as in "https://*.example.com", matches any subdomain.
func (d *decoder) corsOrigins(a *hcl.Attribute) []string {
	list, ranges, _, ok := d.stringList(a)
	if !ok {
		return nil
	}
	var out []string
	for i, o := range list {
		if !validOrigin(o) {
			d.errorAt(ranges[i], "Invalid CORS origin",
				`Each of cors_origins must be an origin as browsers send it, scheme://host[:port] with no path, such as "https://console.example.com", or "*" for any origin; got %q.`, o)
			continue
		}
		out = append(out, o)
	}
	return out
}

func validOrigin(o string) bool {
	if o == "*" {
		return true
	}
	u, err := url.Parse(strings.Replace(o, "*.", "wildcard.", 1))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil &&
		strings.Count(o, "*") <= 1 && o == strings.ToLower(o)
}
