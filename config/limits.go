package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Bounds checked before a file reaches HCL's parser. The parser recurses
// once per nesting level, so a file of 60,000 nested brackets overflowed the
// goroutine stack: a fatal error no recover can catch, which killed a
// running daemon on SIGHUP. Real configurations nest a handful of levels
// and weigh kilobytes; these bounds are far above that.
const (
	// MaxFileBytes bounds one configuration file.
	MaxFileBytes = 8 << 20
	// MaxNesting bounds brackets, braces, parentheses, strings and template
	// sequences open at once.
	MaxNesting = 100
	// maxUnaryRun bounds a run of unary operators ("!!!!x"), which the
	// parser also reads recursively.
	maxUnaryRun = 100
	// maxConditionals bounds the ? : conditionals in a file: each one in a
	// chain is a level of recursion.
	maxConditionals = 1000
)

var openers = map[hclsyntax.TokenType]bool{
	hclsyntax.TokenOBrace: true, hclsyntax.TokenOBrack: true, hclsyntax.TokenOParen: true,
	hclsyntax.TokenOQuote: true, hclsyntax.TokenOHeredoc: true,
	hclsyntax.TokenTemplateInterp: true, hclsyntax.TokenTemplateControl: true,
}

var closers = map[hclsyntax.TokenType]bool{
	hclsyntax.TokenCBrace: true, hclsyntax.TokenCBrack: true, hclsyntax.TokenCParen: true,
	hclsyntax.TokenCQuote: true, hclsyntax.TokenCHeredoc: true, hclsyntax.TokenTemplateSeqEnd: true,
}

// checkBounds refuses source the parser could not read safely, with a
// diagnostic at the first place a bound is crossed. HCL's lexer is a state
// machine that does not recurse, so it can measure what the parser cannot.
func checkBounds(filename string, src []byte) hcl.Diagnostics {
	if len(src) > MaxFileBytes {
		return hcl.Diagnostics{tooLarge(filename)}
	}
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	depth, unary, conditionals := 0, 0, 0
	for _, tok := range tokens {
		switch {
		case openers[tok.Type]:
			depth++
			if depth > MaxNesting {
				return boundDiag(tok.Range, "Configuration nested too deeply",
					fmt.Sprintf("Brackets, braces, parentheses, strings and templates nest more than %d levels deep here; no configuration needs that many. Flatten the expression.", MaxNesting))
			}
		case closers[tok.Type]:
			depth = max(depth-1, 0)
		case tok.Type == hclsyntax.TokenQuestion:
			conditionals++
			if conditionals > maxConditionals {
				return boundDiag(tok.Range, "Too many conditional expressions",
					fmt.Sprintf("The file holds more than %d conditional (? :) expressions.", maxConditionals))
			}
		}
		if tok.Type == hclsyntax.TokenBang || tok.Type == hclsyntax.TokenMinus {
			unary++
			if unary > maxUnaryRun {
				return boundDiag(tok.Range, "Too many operators in a row",
					fmt.Sprintf("More than %d ! or - operators follow each other here.", maxUnaryRun))
			}
		} else {
			unary = 0
		}
	}
	return nil
}

func tooLarge(filename string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Configuration file too large",
		Detail:   fmt.Sprintf("%s is larger than %d MiB, the most a configuration file may hold.", filename, MaxFileBytes>>20),
		Subject:  &hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos},
	}
}

func boundDiag(rng hcl.Range, summary, detail string) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}}
}
