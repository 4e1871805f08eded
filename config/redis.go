package config

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

var redisSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "url"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "sentinel"},
		{Type: "cluster"},
	},
}

var sentinelSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "master_name", Required: true},
		{Name: "addrs", Required: true},
		{Name: "password"},
		{Name: "db"},
	},
}

var clusterSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "addrs", Required: true},
		{Name: "password"},
	},
}

func (d *decoder) redis(blk *hcl.Block) Redis {
	r := Redis{DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(redisSchema)
	d.add(diags...)

	// forms lists where each way of reaching Redis is written; exactly one
	// is allowed.
	var forms []hcl.Range
	if a := content.Attributes["url"]; a != nil {
		forms = append(forms, a.NameRange)
		n := len(d.diags)
		if v, _, ok := d.str(a); ok {
			if validRedisURL(v) {
				r.URL = Secret(v)
			} else {
				d.errorAt(a.Expr.Range(), "Invalid Redis URL",
					`url must be a redis://, rediss:// or unix:// URL, such as "redis://127.0.0.1:6379/0" (the path, when present, is a database number).`)
			}
		}
		d.sensitiveSince(n, a.Expr) // the URL may hold a password
	}
	for _, b := range content.Blocks {
		forms = append(forms, b.DefRange)
		if len(forms) > 1 {
			continue
		}
		switch b.Type {
		case "sentinel":
			r.Sentinel = d.redisSentinel(b)
		case "cluster":
			r.Cluster = d.redisCluster(b)
		}
	}
	switch {
	case len(forms) == 0:
		d.errorAt(blk.DefRange, "Missing Redis address",
			"The redis block needs one of: a url, a sentinel block or a cluster block.")
	case len(forms) > 1:
		d.errorAt(forms[1], "Conflicting Redis settings",
			"The redis block takes exactly one of: a url, a sentinel block or a cluster block; another was given at %s.", position(forms[0]))
	}
	return r
}

func (d *decoder) redisSentinel(blk *hcl.Block) *RedisSentinel {
	s := &RedisSentinel{DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(sentinelSchema)
	d.add(diags...)
	s.MasterName = d.nonEmptyString(content.Attributes["master_name"])
	s.Addrs = d.addrs(content.Attributes["addrs"])
	s.Password = d.secretString(content.Attributes["password"])
	if a := content.Attributes["db"]; a != nil {
		s.DB, _ = d.integer(a, 0, 1<<16)
	}
	return s
}

func (d *decoder) redisCluster(blk *hcl.Block) *RedisCluster {
	c := &RedisCluster{DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(clusterSchema)
	d.add(diags...)
	c.Addrs = d.addrs(content.Attributes["addrs"])
	c.Password = d.secretString(content.Attributes["password"])
	return c
}

// addrs decodes a non-empty list of host:port addresses.
func (d *decoder) addrs(a *hcl.Attribute) []string {
	if a == nil {
		return nil
	}
	list, ranges, _, ok := d.stringList(a)
	if !ok {
		return nil
	}
	if len(list) == 0 {
		d.errorAt(a.Expr.Range(), "No addresses", "The argument %q needs at least one host:port address.", a.Name)
	}
	for i, addr := range list {
		if !validHostPort(addr, false) {
			d.errorAt(ranges[i], "Invalid address", `Each address must be host:port, such as "10.0.0.5:26379".`)
		}
	}
	return list
}

// secretString decodes an optional string attribute into a Secret.
func (d *decoder) secretString(a *hcl.Attribute) Secret {
	if a == nil {
		return ""
	}
	defer d.sensitiveSince(len(d.diags), a.Expr)
	v, _, _ := d.str(a)
	return Secret(v)
}

// validRedisURL reports whether s is a URL go-redis can dial: redis:// or
// rediss:// with a host and an optional numeric database path, or unix://
// with a socket path. Parse errors are not kept: they would quote the URL,
// and with it the password.
func validRedisURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "redis", "rediss":
		if u.Host == "" {
			return false
		}
		db := strings.TrimPrefix(u.Path, "/")
		if db == "" {
			return true
		}
		n, err := strconv.Atoi(db)
		return err == nil && n >= 0
	case "unix":
		return u.Path != ""
	}
	return false
}
