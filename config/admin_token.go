package config

import (
	"encoding/hex"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

var adminTokenSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "sha256", Required: true},
		{Name: "role", Required: true},
	},
}

func (d *decoder) adminToken(blk *hcl.Block) *AdminToken {
	t := &AdminToken{Name: blk.Labels[0], DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(adminTokenSchema)
	d.add(diags...)

	if a := content.Attributes["sha256"]; a != nil {
		if v, _, ok := d.str(a); ok {
			if sum, ok := hexSHA256(v); ok {
				t.SHA256 = sum
			} else {
				d.errorAt(a.Expr.Range(), "Invalid token hash",
					"sha256 must be the token's SHA-256 as 64 hexadecimal digits (printf %%s \"$TOKEN\" | sha256sum), never the token itself.")
			}
		}
	}
	if a := content.Attributes["role"]; a != nil {
		if v, secret, ok := d.str(a); ok {
			switch r := Role(v); r {
			case RoleViewer, RoleOperator, RoleAdmin:
				t.Role = r
			default:
				d.errorAt(a.Expr.Range(), "Invalid role",
					`The role %s is not one of "viewer", "operator" or "admin".`, describe(v, secret))
			}
		}
	}
	return t
}

// hexSHA256 returns s in lowercase when it is a hex SHA-256 digest.
func hexSHA256(s string) (string, bool) {
	s = strings.ToLower(s)
	if len(s) != 64 {
		return "", false
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", false
	}
	return s, true
}

// checkTokenHashes refuses two tokens with the same hash: history records
// which token acted, so each needs its own.
func (d *decoder) checkTokenHashes(tokens []*AdminToken) {
	byHash := map[string]*AdminToken{}
	for _, t := range tokens {
		if t.SHA256 == "" {
			continue
		}
		if prev, ok := byHash[t.SHA256]; ok {
			d.errorAt(t.DeclRange, "Duplicate token hash",
				"Admin tokens %q and %q have the same sha256; history records which token acted, so each needs its own token.", prev.Name, t.Name)
			continue
		}
		byHash[t.SHA256] = t
	}
}
