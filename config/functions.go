package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// mark is the type of the cty marks this package sets, unexported so no
// other package's marks collide with them.
type mark string

// sensitive marks values that came from env() or file(). Marks follow a
// value through templates and function calls; the decoder strips them and
// remembers that the value must not be quoted in a diagnostic.
const sensitive mark = "sensitive"

// maxFileSize bounds what file() reads: templates and secrets are small.
const maxFileSize = 1 << 20

// evalContext returns the functions configuration expressions may call;
// file() reads paths relative to dir. There are no variables.
func evalContext(dir string) *hcl.EvalContext {
	return &hcl.EvalContext{
		Functions: map[string]function.Function{
			"env":       envFunc,
			"file":      fileFunc(dir),
			"trimspace": stdlib.TrimSpaceFunc,
		},
	}
}

// envUnsetError is env()'s error for a variable that is not set; the
// decoder turns it into its own diagnostic.
type envUnsetError struct{ name string }

func (e *envUnsetError) Error() string {
	return fmt.Sprintf("environment variable %q is not set", e.name)
}

// fileError is file()'s error. The path is the one written in the file
// (never a secret: file() refuses computed paths).
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string {
	return fmt.Sprintf("cannot read file %q: %v", e.path, e.err)
}

// errSecretArgument refuses function arguments computed from secrets, so
// that the error message need not mention them.
var errSecretArgument = errors.New("the argument must be written in the file, not computed from env() or file()")

// envFunc is env("NAME"): the variable's value, marked sensitive.
var envFunc = function.New(&function.Spec{
	Description: "Returns the value of an environment variable; the value is treated as a secret.",
	Params: []function.Parameter{
		{Name: "name", Type: cty.String, AllowMarked: true},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		name, marks := args[0].Unmark()
		if len(marks) > 0 {
			return cty.UnknownVal(cty.String), function.NewArgError(0, errSecretArgument)
		}
		v, ok := os.LookupEnv(name.AsString())
		if !ok {
			return cty.UnknownVal(cty.String), &envUnsetError{name: name.AsString()}
		}
		return cty.StringVal(v).Mark(sensitive), nil
	},
})

// fileFunc is file("path"): the contents of a UTF-8 file, relative to dir,
// marked sensitive.
func fileFunc(dir string) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the contents of a file relative to the configuration file; the contents are treated as a secret.",
		Params: []function.Parameter{
			{Name: "path", Type: cty.String, AllowMarked: true},
		},
		Type: function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			pathVal, marks := args[0].Unmark()
			if len(marks) > 0 {
				return cty.UnknownVal(cty.String), function.NewArgError(0, errSecretArgument)
			}
			path := pathVal.AsString()
			full := path
			if !filepath.IsAbs(full) {
				full = filepath.Join(dir, full)
			}
			b, err := readSmallFile(full)
			if err != nil {
				return cty.UnknownVal(cty.String), &fileError{path: path, err: err}
			}
			if !utf8.Valid(b) {
				return cty.UnknownVal(cty.String), &fileError{path: path, err: errors.New("contents are not UTF-8 text")}
			}
			return cty.StringVal(string(b)).Mark(sensitive), nil
		},
	})
}

// readSmallFile reads a regular file of at most maxFileSize bytes. Its
// errors do not repeat the path, which the caller reports as written.
func readSmallFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, errors.New("no such file")
	case err != nil:
		return nil, errors.New("cannot stat the file")
	case !info.Mode().IsRegular():
		return nil, errors.New("not a regular file")
	case info.Size() > maxFileSize:
		return nil, fmt.Errorf("larger than %d bytes", maxFileSize)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.New("cannot read the file")
	}
	return b, nil
}

// rewriteFunctionDiags replaces hcl's generic "Error in function call"
// diagnostics of env() and file() with ones that say what to do.
func rewriteFunctionDiags(diags hcl.Diagnostics) hcl.Diagnostics {
	for i, diag := range diags {
		extra, ok := diag.Extra.(hclsyntax.FunctionCallDiagExtra)
		if !ok || extra.FunctionCallError() == nil {
			continue
		}
		subject := diag.Subject
		if diag.Context != nil {
			subject = diag.Context // the whole call
		}
		var unset *envUnsetError
		var ferr *fileError
		switch err := extra.FunctionCallError(); {
		case errors.As(err, &unset):
			diags[i] = &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Environment variable not set",
				Detail:   fmt.Sprintf("The environment variable %q is not set. Set it in the environment dsrhost runs in.", unset.name),
				Subject:  subject,
			}
		case errors.As(err, &ferr):
			diags[i] = &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot read file",
				Detail:   fmt.Sprintf("Cannot read file %q (relative to the configuration file's directory): %v.", ferr.path, ferr.err),
				Subject:  subject,
			}
		}
	}
	return diags
}
