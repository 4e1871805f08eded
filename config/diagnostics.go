package config

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// ANSI escapes used when color is on.
const (
	colorError     = "\x1b[1;31m"
	colorWarning   = "\x1b[1;33m"
	colorHighlight = "\x1b[1;4m"
	colorReset     = "\x1b[0m"
)

// WriteDiagnostics prints diagnostics for people: severity and summary,
// file:line:column, the source lines at fault with the subject
// highlighted (underlined with ^ when color is off), and the detail.
//
// Unlike hcl's own text writer it never prints the values of the
// variables in an expression, so nothing from env() or file() can reach
// the output; the source lines show only what the file says.
func WriteDiagnostics(w io.Writer, files *Files, diags hcl.Diagnostics, color bool) error {
	bw := bufio.NewWriter(w)
	fm := files.Map()
	for _, diag := range diags {
		writeDiagnostic(bw, fm, diag, color)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write diagnostics: %w", err)
	}
	return nil
}

func writeDiagnostic(w *bufio.Writer, files map[string]*hcl.File, diag *hcl.Diagnostic, color bool) {
	severity, code := "Error", colorError
	if diag.Severity == hcl.DiagWarning {
		severity, code = "Warning", colorWarning
	}
	if color {
		fmt.Fprintf(w, "%s%s%s: %s\n\n", code, severity, colorReset, diag.Summary)
	} else {
		fmt.Fprintf(w, "%s: %s\n\n", severity, diag.Summary)
	}
	if diag.Subject != nil {
		writeSnippet(w, files[diag.Subject.Filename], diag, color)
	}
	if diag.Detail != "" {
		fmt.Fprintf(w, "%s\n\n", diag.Detail)
	}
}

// writeSnippet prints where the diagnostic points and the lines it covers.
func writeSnippet(w *bufio.Writer, file *hcl.File, diag *hcl.Diagnostic, color bool) {
	subject := *diag.Subject
	where := fmt.Sprintf("%s:%d:%d", subject.Filename, subject.Start.Line, subject.Start.Column)
	if file == nil || file.Bytes == nil {
		fmt.Fprintf(w, "  on %s:\n  (source code not available)\n\n", where)
		return
	}
	// A subject at the very start of the file is about the whole file
	// (a missing top-level item), not the block that happens to open it.
	nav, ok := file.Nav.(interface{ ContextString(int) string })
	if ok && subject.Start.Byte > 0 {
		if ctx := nav.ContextString(subject.Start.Byte); ctx != "" {
			where += ", in " + ctx
		}
	}
	fmt.Fprintf(w, "  on %s:\n", where)

	snip, highlight := subject, subject
	if diag.Context != nil {
		snip = hcl.RangeOver(snip, *diag.Context)
	}
	// An empty range (a missing item) is shown as one character.
	if snip.Empty() {
		snip.End.Byte++
	}
	if highlight.Empty() {
		highlight.End.Byte++
	}

	sensitive := IsSensitive(diag)
	src := file.Bytes
	sc := hcl.NewRangeScanner(src, subject.Filename, bufio.ScanLines)
	for sc.Scan() {
		line := sc.Range()
		if !line.Overlaps(snip) {
			continue
		}
		before, hl, after := line.PartitionAround(highlight)
		if hl.Empty() {
			fmt.Fprintf(w, "%4d: %s\n", line.Start.Line, sc.Bytes())
			if !color && highlight.Start.Line == line.Start.Line {
				// The subject starts past the end of this line's text (a
				// missing closing quote or brace): point there.
				pre := src[line.Start.Byte:min(highlight.Start.Byte, line.End.Byte)]
				fmt.Fprintf(w, "      %s^\n", blankOut(string(pre)))
			}
			continue
		}
		pre, mid, post := before.SliceBytes(src), hl.SliceBytes(src), after.SliceBytes(src)
		if sensitive {
			mid = []byte(redacted)
		}
		if color {
			fmt.Fprintf(w, "%4d: %s%s%s%s%s\n", line.Start.Line, pre, colorHighlight, mid, colorReset, post)
			continue
		}
		fmt.Fprintf(w, "%4d: %s%s%s\n", line.Start.Line, pre, mid, post)
		fmt.Fprintf(w, "      %s%s\n", blankOut(string(pre)), strings.Repeat("^", max(1, len([]rune(string(mid))))))
	}
	w.WriteByte('\n')
}

// blankOut replaces every character but tabs with a space, so a caret line
// lines up under the source line in any terminal.
func blankOut(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return r
		}
		return ' '
	}, s)
}
