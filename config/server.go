package config

import (
	"net"
	"net/url"
	"path/filepath"
	"strconv"

	"github.com/hashicorp/hcl/v2"
)

var serverSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "listen"},
		{Name: "public_url"},
		{Name: "cors_origins"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "tls"}},
}

var tlsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "cert_file", Required: true},
		{Name: "key_file", Required: true},
	},
}

func defaultServer() Server {
	return Server{Listen: defaultListen, PublicURL: defaultPublicURL(defaultListen)}
}

// defaultPublicURL is where links reach a daemon listening on listen when
// nothing else is configured: fine for trying dsrhost on one machine.
func defaultPublicURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func (d *decoder) server(blk *hcl.Block) Server {
	s := defaultServer()
	s.DeclRange = blk.DefRange
	content, diags := blk.Body.Content(serverSchema)
	d.add(diags...)

	if a := content.Attributes["listen"]; a != nil {
		if v, _, ok := d.str(a); ok {
			if validHostPort(v, true) {
				s.Listen = v
			} else {
				d.errorAt(a.Expr.Range(), "Invalid listen address",
					`The listen address must be host:port with a port between 0 and 65535, such as "127.0.0.1:8700" or ":8700".`)
			}
		}
	}
	s.PublicURL = defaultPublicURL(s.Listen)
	if a := content.Attributes["public_url"]; a != nil {
		if v, _, ok := d.str(a); ok {
			if validHTTPURL(v) {
				s.PublicURL = v
			} else {
				d.errorAt(a.Expr.Range(), "Invalid public URL",
					`public_url must be an absolute http or https URL, such as "https://privacy.example.com"; direct-contact links start with it.`)
			}
		}
	}
	if a := content.Attributes["cors_origins"]; a != nil {
		s.CORSOrigins = d.corsOrigins(a)
	}
	for i, tb := range content.Blocks {
		if i > 0 {
			d.errorAt(tb.DefRange, "Duplicate tls block", "A tls block was already declared at %s.", position(content.Blocks[0].DefRange))
			continue
		}
		s.TLS = d.tls(tb)
	}
	return s
}

func (d *decoder) tls(blk *hcl.Block) *TLS {
	t := &TLS{DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(tlsSchema)
	d.add(diags...)
	// Relative paths are read from the configuration file's directory, as
	// file() reads them, so the daemon finds them whatever its working
	// directory.
	dir := filepath.Dir(blk.DefRange.Filename)
	t.CertFile = relativeTo(dir, d.nonEmptyString(content.Attributes["cert_file"]))
	t.KeyFile = relativeTo(dir, d.nonEmptyString(content.Attributes["key_file"]))
	return t
}

// relativeTo resolves a relative, non-empty path from dir.
func relativeTo(dir, path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

// nonEmptyString decodes an optional string attribute that, when present,
// must not be empty.
func (d *decoder) nonEmptyString(a *hcl.Attribute) string {
	if a == nil {
		return ""
	}
	v, _, ok := d.str(a)
	if ok && v == "" {
		d.errorAt(a.Expr.Range(), "Empty value", "The argument %q must not be empty.", a.Name)
	}
	return v
}

// validHostPort reports whether s is host:port; an empty host is allowed
// only when emptyHost is set (":8700" listens on every interface).
func validHostPort(s string, emptyHost bool) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || (host == "" && !emptyHost) {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

// validHTTPURL reports whether s is an absolute http(s) URL with a host.
func validHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == ""
}
