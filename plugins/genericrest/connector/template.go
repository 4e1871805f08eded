package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/dsrhost/dsrhost/sdk"
)

// Names a template may use besides the subject's identifiers. They exist only
// in some requests, so Configure refuses them elsewhere rather than letting a
// job fail on them later.
const (
	varRecord   = "record"
	varRecordID = "record_id"
	varJobID    = "job_id"
)

// scope says what data a template is executed with.
type scope struct {
	subject bool // email, phone, user_id, request_id, idempotency_key and custom identifiers
	record  bool // record and record_id: per-record deletion
	jobID   bool // job_id: async status and result requests
}

// compileTemplate parses text as a text/template and checks that it names
// only what its scope provides. The returned problem is a sentence for a
// diagnostic; empty means the template is good.
func compileTemplate(name, text string, sc scope) (*template.Template, string) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Sprintf("Not a valid template: %s.", strings.TrimPrefix(err.Error(), "template: "))
	}
	var problem string
	for _, tt := range t.Templates() {
		if tt.Tree == nil || problem != "" {
			continue
		}
		walkFields(tt.Tree.Root, true, func(field string) {
			if problem == "" {
				problem = checkField(field, sc)
			}
		})
	}
	if problem != "" {
		return nil, problem
	}
	return t, ""
}

func checkField(field string, sc scope) string {
	switch {
	case field == varRecord || field == varRecordID:
		if !sc.record {
			return fmt.Sprintf("{{ .%s }} exists only in per-record deletion requests (deletion.mode = \"per_record\").", field)
		}
	case field == varJobID:
		if !sc.jobID {
			return "{{ .job_id }} exists only in the async status and result requests."
		}
	case !sc.subject:
		return fmt.Sprintf("{{ .%s }}: this request runs without a subject, so it cannot use identifiers.", field)
	}
	return ""
}

// walkFields calls visit with the first name of every field reference made
// on the template's root data: .email, $.record.id. References inside range
// and with bodies are relative to another value and are not visited.
func walkFields(n parse.Node, root bool, visit func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkFields(c, root, visit)
		}
	case *parse.ActionNode:
		walkFields(n.Pipe, root, visit)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkFields(c, root, visit)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkFields(a, root, visit)
		}
	case *parse.FieldNode:
		if root && len(n.Ident) > 0 {
			visit(n.Ident[0])
		}
	case *parse.VariableNode:
		if len(n.Ident) > 1 && n.Ident[0] == "$" {
			visit(n.Ident[1])
		}
	case *parse.ChainNode:
		walkFields(n.Node, root, visit)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, root, root, visit)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, root, false, visit)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, root, false, visit)
	case *parse.TemplateNode:
		walkFields(n.Pipe, root, visit)
	}
}

func walkBranch(b *parse.BranchNode, root, bodyRoot bool, visit func(string)) {
	walkFields(b.Pipe, root, visit)
	walkFields(b.List, bodyRoot, visit)
	walkFields(b.ElseList, root, visit)
}

// subjectData is the template data of a job: the subject's identifiers
// (custom ones first, so the standard names win), the request id and the
// idempotency key. Empty identifiers are left out, so a template naming one
// fails with a clear error instead of sending an empty value.
func subjectData(job sdk.Job) map[string]any {
	data := map[string]any{}
	for k, v := range job.Subject.Identifiers {
		if v != "" {
			data[k] = v
		}
	}
	for k, v := range map[string]string{
		"email": job.Subject.Email, "phone": job.Subject.Phone, "user_id": job.Subject.UserID,
		"request_id": job.RequestID, "idempotency_key": job.IdempotencyKey,
	} {
		if v != "" {
			data[k] = v
		}
	}
	return data
}

// with returns a copy of data with more names set.
func with(data map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(data)+len(kv)/2)
	for k, v := range data {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			out[k] = kv[i+1]
		}
	}
	return out
}

// escaper makes a value safe for where a template puts it.
type escaper func(string) string

func noEscape(s string) string { return s }

// jsonEscape escapes s for a place inside a JSON string literal.
func jsonEscape(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(buf.String(), "\n")
	return out[1 : len(out)-1]
}

// escapeAll returns v with every string in it (including json.Number
// values) passed through esc.
func escapeAll(v any, esc escaper) any {
	switch v := v.(type) {
	case string:
		return esc(v)
	case json.Number:
		return json.Number(esc(string(v)))
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = escapeAll(e, esc)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = escapeAll(e, esc)
		}
		return out
	}
	return v
}

var missingKey = regexp.MustCompile(`map has no entry for key "([^"]*)"`)

// render executes t over data escaped by esc. A failure is an *sdk.Error
// naming the setting and, for a missing identifier, the identifier's name;
// never a value.
func render(t *template.Template, setting string, data map[string]any, esc escaper) (string, error) {
	var buf strings.Builder
	err := t.Execute(&buf, escapeAll(data, esc))
	if err == nil {
		return buf.String(), nil
	}
	if m := missingKey.FindStringSubmatch(err.Error()); m != nil {
		return "", sdk.Errorf(sdk.ErrorInvalidConfig, "settings.%s needs %q, which this request or record does not have", setting, m[1]).
			WithRemediation(fmt.Sprintf("If %q is an identifier, add it to the request or run this integration after one that finds it (depends_on); if it is a record field, check settings.%s against the records access finds.", m[1], setting))
	}
	return "", sdk.Errorf(sdk.ErrorInvalidConfig, "settings.%s could not be rendered", setting).
		WithRemediation(fmt.Sprintf("Check the template in settings.%s against the data it is given: the subject's identifiers, and record or job_id where they apply.", setting))
}
