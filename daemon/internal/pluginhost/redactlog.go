package pluginhost

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// redactingLogger is the logger go-plugin writes a plugin's log lines and
// stdio through: each message and value is scrubbed of the values the
// redactor knows, and of email addresses, before the daemon's log sees it.
type redactingLogger struct {
	hclog.Logger
	r *redactor
}

var _ hclog.Logger = (*redactingLogger)(nil)

func newRedactingLogger(l hclog.Logger, r *redactor) hclog.Logger {
	return &redactingLogger{Logger: l, r: r}
}

func (l *redactingLogger) args(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if i%2 == 0 {
			out[i] = a // a key, named by the plugin's code
			continue
		}
		var text string
		switch v := a.(type) {
		case string:
			text = v
		case error:
			text = v.Error()
		default:
			text = fmt.Sprint(v)
		}
		if scrubbed := l.r.scrubLog(text); scrubbed != text {
			out[i] = scrubbed
			continue
		}
		out[i] = a
	}
	return out
}

// Log logs msg at level, scrubbed.
func (l *redactingLogger) Log(level hclog.Level, msg string, args ...any) {
	l.Logger.Log(level, l.r.scrubLog(msg), l.args(args)...)
}

// Trace logs at trace level, scrubbed.
func (l *redactingLogger) Trace(msg string, args ...any) { l.Log(hclog.Trace, msg, args...) }

// Debug logs at debug level, scrubbed.
func (l *redactingLogger) Debug(msg string, args ...any) { l.Log(hclog.Debug, msg, args...) }

// Info logs at info level, scrubbed.
func (l *redactingLogger) Info(msg string, args ...any) { l.Log(hclog.Info, msg, args...) }

// Warn logs at warn level, scrubbed.
func (l *redactingLogger) Warn(msg string, args ...any) { l.Log(hclog.Warn, msg, args...) }

// Error logs at error level, scrubbed.
func (l *redactingLogger) Error(msg string, args ...any) { l.Log(hclog.Error, msg, args...) }

// With keeps scrubbing below the new logger.
func (l *redactingLogger) With(args ...any) hclog.Logger {
	return &redactingLogger{Logger: l.Logger.With(l.args(args)...), r: l.r}
}

// Named keeps scrubbing below the new logger.
func (l *redactingLogger) Named(name string) hclog.Logger {
	return &redactingLogger{Logger: l.Logger.Named(name), r: l.r}
}

// ResetNamed keeps scrubbing below the new logger.
func (l *redactingLogger) ResetNamed(name string) hclog.Logger {
	return &redactingLogger{Logger: l.Logger.ResetNamed(name), r: l.r}
}

// StandardLogger writes through the scrubbing writer.
func (l *redactingLogger) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(l.StandardWriter(opts), "", 0)
}

// StandardWriter is where a plugin's stdout and stderr land: each line is
// logged, scrubbed, at the level its "[LEVEL]" prefix names (info without
// one).
func (l *redactingLogger) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return lineWriter{l: l}
}

type lineWriter struct{ l *redactingLogger }

func (w lineWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(string(bytes.TrimRight(p, "\n")), "\n") {
		level, msg := inferLevel(line)
		w.l.Log(level, msg)
	}
	return len(p), nil
}

// inferLevel reads a "[LEVEL] " prefix as hclog's standard writer does.
func inferLevel(line string) (hclog.Level, string) {
	for _, lv := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		name := strings.ToUpper(lv.String())
		if rest, ok := strings.CutPrefix(line, "["+name+"]"); ok {
			return lv, strings.TrimSpace(rest)
		}
	}
	if rest, ok := strings.CutPrefix(line, "[ERR]"); ok {
		return hclog.Error, strings.TrimSpace(rest)
	}
	return hclog.Info, line
}
