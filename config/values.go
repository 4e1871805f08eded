package config

import (
	"fmt"
	"math"
	"math/big"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// decoder evaluates attributes and collects every diagnostic, so that one
// pass reports all the mistakes in a file. No diagnostic it writes quotes a
// value that came from env() or file().
type decoder struct {
	// ctx, when set, evaluates every expression; otherwise each is
	// evaluated in its own file's context (fileContext), so file() reads
	// relative to the file that calls it when several files are merged.
	ctx      *hcl.EvalContext
	contexts map[string]*hcl.EvalContext // by directory
	diags    hcl.Diagnostics
}

// fileContext returns the evaluation context of expressions written in
// filename: file() reads relative to its directory.
func (d *decoder) fileContext(filename string) *hcl.EvalContext {
	if d.ctx != nil {
		return d.ctx
	}
	dir := filepath.Dir(filename)
	if c := d.contexts[dir]; c != nil {
		return c
	}
	if d.contexts == nil {
		d.contexts = map[string]*hcl.EvalContext{}
	}
	c := evalContext(dir)
	d.contexts[dir] = c
	return c
}

func (d *decoder) add(diags ...*hcl.Diagnostic) { d.diags = append(d.diags, diags...) }

// errorAt reports an error whose subject is rng.
func (d *decoder) errorAt(rng hcl.Range, summary, detail string, args ...any) {
	d.add(&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  rng.Ptr(),
	})
}

// eval evaluates expr and strips its marks, reporting whether any part of
// it was sensitive. ok is false when a diagnostic was reported.
func (d *decoder) eval(expr hcl.Expression) (val cty.Value, secret, ok bool) {
	val, diags := expr.Value(d.fileContext(expr.Range().Filename))
	d.add(rewriteFunctionDiags(diags)...)
	if diags.HasErrors() {
		return cty.NilVal, false, false
	}
	val, marks := val.UnmarkDeep()
	if !val.IsWhollyKnown() {
		// Nothing in the evaluation context is unknown, so this is only a
		// guard against a future function that returns unknowns.
		d.errorAt(expr.Range(), "Unknown value", "The value cannot be known when the configuration is read.")
		return cty.NilVal, false, false
	}
	return val, len(marks) > 0, true
}

// value evaluates attr and converts it to ty; null is refused.
func (d *decoder) value(attr *hcl.Attribute, ty cty.Type) (val cty.Value, secret, ok bool) {
	val, secret, ok = d.eval(attr.Expr)
	if !ok {
		return cty.NilVal, secret, false
	}
	if val.IsNull() {
		d.errorAt(attr.Expr.Range(), "Invalid null value", "The argument %q must not be null.", attr.Name)
		return cty.NilVal, secret, false
	}
	conv, err := convert.Convert(val, ty)
	if err != nil {
		d.errorAt(attr.Expr.Range(), "Incorrect attribute value type",
			"Inappropriate value for attribute %q: %s.", attr.Name, err)
		return cty.NilVal, secret, false
	}
	if (ty.IsListType() || ty.IsMapType()) && hasNullElement(conv) {
		d.errorAt(attr.Expr.Range(), "Invalid null value", "The elements of %q must not be null.", attr.Name)
		return cty.NilVal, secret, false
	}
	return conv, secret, true
}

func hasNullElement(v cty.Value) bool {
	for it := v.ElementIterator(); it.Next(); {
		if _, e := it.Element(); e.IsNull() {
			return true
		}
	}
	return false
}

// str evaluates attr as a string.
func (d *decoder) str(attr *hcl.Attribute) (s string, secret, ok bool) {
	val, secret, ok := d.value(attr, cty.String)
	if !ok {
		return "", secret, false
	}
	return val.AsString(), secret, true
}

// boolean evaluates attr as a bool.
func (d *decoder) boolean(attr *hcl.Attribute) (b, ok bool) {
	val, _, ok := d.value(attr, cty.Bool)
	if !ok {
		return false, false
	}
	return val.True(), true
}

// integer evaluates attr as a whole number within [lo, hi].
func (d *decoder) integer(attr *hcl.Attribute, lo, hi int) (int, bool) {
	val, _, ok := d.value(attr, cty.Number)
	if !ok {
		return 0, false
	}
	n, ok := wholeNumber(val.AsBigFloat())
	if !ok {
		d.errorAt(attr.Expr.Range(), "Invalid number", "The argument %q must be a whole number.", attr.Name)
		return 0, false
	}
	if n < int64(lo) || n > int64(hi) {
		d.errorAt(attr.Expr.Range(), "Number out of range", "The argument %q must be between %d and %d.", attr.Name, lo, hi)
		return 0, false
	}
	return int(n), true
}

// wholeNumber returns f as an int64 when it is one.
func wholeNumber(f *big.Float) (int64, bool) {
	if f.IsInf() || !f.IsInt() {
		return 0, false
	}
	n, acc := f.Int64()
	if acc != big.Exact || n < math.MinInt || n > math.MaxInt {
		return 0, false
	}
	return n, true
}

// stringList evaluates attr as a list of strings, returning each element's
// range where the expression is a list literal (the attribute's range
// otherwise).
func (d *decoder) stringList(attr *hcl.Attribute) (list []string, ranges []hcl.Range, secret, ok bool) {
	val, secret, ok := d.value(attr, cty.List(cty.String))
	if !ok {
		return nil, nil, secret, false
	}
	exprs, diags := hcl.ExprList(attr.Expr)
	for it := val.ElementIterator(); it.Next(); {
		_, e := it.Element()
		rng := attr.Expr.Range()
		if !diags.HasErrors() && len(exprs) == val.LengthInt() {
			rng = exprs[len(list)].Range()
		}
		list = append(list, e.AsString())
		ranges = append(ranges, rng)
	}
	return list, ranges, secret, true
}

// describe quotes a value for a diagnostic, or says it is hidden when it
// came from env() or file().
func describe(s string, secret bool) string {
	if secret {
		return "(a sensitive value)"
	}
	return fmt.Sprintf("%q", s)
}
