package config

import (
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// SettingRange returns the source range of the setting at path inside a
// settings body, such as []string{"auth", "token"}, so a diagnostic from a
// connector's Configure can point at its line. A path element after a
// repeated block or a list may be an index ("0"); one after a map
// attribute may be a key. It returns the range of the value when the path
// reaches an attribute, else of the deepest block the path reaches, else
// the start of the settings block.
func SettingRange(body hcl.Body, path []string) hcl.Range {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		if body == nil {
			return hcl.Range{}
		}
		return body.MissingItemRange()
	}
	rng := sb.MissingItemRange()
	for i := 0; i < len(path); i++ {
		if attr, ok := sb.Attributes[path[i]]; ok {
			return exprRange(attr.Expr, path[i+1:])
		}
		var blocks []*hclsyntax.Block
		for _, b := range sb.Blocks {
			if b.Type == path[i] {
				blocks = append(blocks, b)
			}
		}
		if len(blocks) == 0 {
			return rng
		}
		blk := blocks[0]
		if i+1 < len(path) {
			if n, err := strconv.Atoi(path[i+1]); err == nil {
				if n < 0 || n >= len(blocks) {
					return blk.DefRange()
				}
				blk = blocks[n]
				i++
			}
		}
		rng = blk.DefRange()
		sb = blk.Body
	}
	return rng
}

// exprRange follows path into list and map literals.
func exprRange(expr hcl.Expression, path []string) hcl.Range {
	for _, step := range path {
		if items, diags := hcl.ExprList(expr); !diags.HasErrors() {
			n, err := strconv.Atoi(step)
			if err != nil || n < 0 || n >= len(items) {
				break
			}
			expr = items[n]
			continue
		}
		pairs, diags := hcl.ExprMap(expr)
		if diags.HasErrors() {
			break
		}
		found := false
		for _, p := range pairs {
			if k, diags := p.Key.Value(nil); !diags.HasErrors() && k.Type().Equals(cty.String) && !k.IsNull() && k.AsString() == step {
				expr, found = p.Value, true
				break
			}
		}
		if !found {
			break
		}
	}
	return expr.Range()
}
