package command

import "strings"

// configPaths is a -config flag that may repeat, as Vault's and Nomad's
// does: each value is a file or a directory of .hcl files, all read as one
// configuration (see config.LoadPaths).
type configPaths []string

// String implements flag.Value.
func (p *configPaths) String() string { return strings.Join(*p, ",") }

// Set implements flag.Value, adding one more path.
func (p *configPaths) Set(v string) error {
	*p = append(*p, v)
	return nil
}

// describe names the paths in a message: "dsrhost.hcl" or "conf.d and
// extra.hcl".
func (p configPaths) describe() string {
	switch len(p) {
	case 0:
		return ""
	case 1:
		return p[0]
	}
	return strings.Join(p[:len(p)-1], ", ") + " and " + p[len(p)-1]
}
