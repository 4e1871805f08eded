package connector

import (
	"fmt"
	"regexp"
	"slices"
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
	varOutputs  = "outputs"
)

// scope says what data a template is executed with.
type scope struct {
	subject bool // email, phone, user_id, request_id, idempotency_key and custom identifiers
	record  bool // record and record_id: per-record deletion
	jobID   bool // job_id: async status and result requests
	// outputs are the names earlier steps provide as {{ .outputs.<name> }}.
	outputs []string
}

// compiled is a template ready to render: its escaper is applied to the
// output of every action, after the template's functions ran on the raw
// values.
type compiled struct {
	t *template.Template
	// refs are the data names the template reads: "email", "outputs.id".
	refs []string
}

// compileTemplate parses text as a text/template with the connector's
// functions and checks that it names only what its scope provides and calls
// each function as it takes. The returned problem is a sentence for a
// diagnostic; empty means the template is good.
func compileTemplate(name, text string, sc scope, at place, secrets map[string]string) (*compiled, string) {
	t, err := template.New(name).Option("missingkey=zero").Funcs(funcs(secrets, at)).Parse(text)
	if err != nil {
		return nil, fmt.Sprintf("Not a valid template: %s.", strings.TrimPrefix(err.Error(), "template: "))
	}
	c := &compiled{t: t}
	var problem string
	for _, tt := range t.Templates() {
		if tt.Tree == nil {
			continue
		}
		walkFields(tt.Tree.Root, true, func(field []string) {
			if problem == "" {
				problem = checkField(field, sc)
			}
			if ref := refName(field); !slices.Contains(c.refs, ref) {
				c.refs = append(c.refs, ref)
			}
		})
		if problem == "" {
			problem = checkCalls(tt.Tree.Root, secrets)
		}
		escapeActions(tt.Tree, tt.Tree.Root)
	}
	if problem != "" {
		return nil, problem
	}
	return c, ""
}

func refName(field []string) string {
	if field[0] == varOutputs && len(field) > 1 {
		return varOutputs + "." + field[1]
	}
	return field[0]
}

func checkField(field []string, sc scope) string {
	switch name := field[0]; {
	case name == varRecord || name == varRecordID:
		if !sc.record {
			return fmt.Sprintf("{{ .%s }} exists only in per-record deletion requests (deletion.mode = \"per_record\").", name)
		}
	case name == varJobID:
		if !sc.jobID {
			return "{{ .job_id }} exists only in the async status and result requests."
		}
	case name == varOutputs:
		if len(field) < 2 {
			return "{{ .outputs }} needs a name, such as {{ .outputs.user_id }}."
		}
		if !slices.Contains(sc.outputs, field[1]) {
			if len(sc.outputs) == 0 {
				return fmt.Sprintf("{{ .outputs.%s }}: no earlier step provides outputs here; add outputs = { %s = \"$...\" } to a step before this request.", field[1], field[1])
			}
			return fmt.Sprintf("{{ .outputs.%s }}: no earlier step provides %q; earlier steps provide %s.", field[1], field[1], strings.Join(sc.outputs, ", "))
		}
	case !sc.subject:
		return fmt.Sprintf("{{ .%s }}: this request runs without a subject, so it cannot use identifiers.", name)
	}
	return ""
}

// walkFields calls visit with the names of every field reference made on
// the template's root data: [email], [record id] for $.record.id. References
// inside range and with bodies are relative to another value and are not
// visited.
func walkFields(n parse.Node, root bool, visit func([]string)) {
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
			visit(n.Ident)
		}
	case *parse.VariableNode:
		if len(n.Ident) > 1 && n.Ident[0] == "$" {
			visit(n.Ident[1:])
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

func walkBranch(b *parse.BranchNode, root, bodyRoot bool, visit func([]string)) {
	walkFields(b.Pipe, root, visit)
	walkFields(b.List, bodyRoot, visit)
	walkFields(b.ElseList, root, visit)
}

// escapeActions appends `_esc "<name>"` to every action that prints, so
// functions such as md5 see the raw value and only what is written into
// the request is escaped for its place. The name, taken from the action's
// first field, lets a missing value be reported by name.
func escapeActions(tree *parse.Tree, n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			escapeActions(tree, c)
		}
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 {
			return // an assignment prints nothing
		}
		name := "value"
		walkFields(n.Pipe, true, func(f []string) {
			if name == "value" {
				name = strings.Join(f, ".")
			}
		})
		n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{NodeType: parse.NodeCommand, Pos: n.Pos, Args: []parse.Node{
			parse.NewIdentifier(fnEscape).SetTree(tree).SetPos(n.Pos),
			&parse.StringNode{NodeType: parse.NodeString, Pos: n.Pos, Quoted: fmt.Sprintf("%q", name), Text: name},
		}})
	case *parse.IfNode:
		escapeActions(tree, n.List)
		escapeActions(tree, n.ElseList)
	case *parse.RangeNode:
		escapeActions(tree, n.List)
		escapeActions(tree, n.ElseList)
	case *parse.WithNode:
		escapeActions(tree, n.List)
		escapeActions(tree, n.ElseList)
	}
}

// subjectData is the template data of a job: the subject's identifiers
// (custom ones first, so the standard names win), the request id and the
// idempotency key. Empty identifiers are left out, so a template naming one
// fails with a clear error instead of sending an empty value. An identifier
// carrying several values (found on several records by an integration this
// one depends on) is a []string; a request that reads it is sent once per
// value.
func subjectData(job sdk.Job) map[string]any {
	data := map[string]any{}
	for k, v := range job.Subject.Identifiers {
		switch vals := sdk.IdentifierValues(v); len(vals) {
		case 0:
		case 1:
			data[k] = vals[0]
		default:
			data[k] = vals
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

var missingValue = regexp.MustCompile(`error calling ` + fnEscape + `: missing ([^ ]+)`)

// render executes t over data. A failure is an *sdk.Error naming the
// setting and, for a missing value, its name; never a value.
func render(t *compiled, setting string, data map[string]any) (string, error) {
	var buf strings.Builder
	err := t.t.Execute(&buf, data)
	if err == nil {
		return buf.String(), nil
	}
	if m := missingValue.FindStringSubmatch(err.Error()); m != nil {
		return "", sdk.Errorf(sdk.ErrorInvalidConfig, "settings.%s needs %q, which this request or record does not have", setting, m[1]).
			WithRemediation(fmt.Sprintf("If %q is an identifier, add it to the request or run this integration after one that finds it (depends_on); if it is a record field, check settings.%s against the records access finds; `default` gives a value to use when it is missing.", m[1], setting))
	}
	return "", sdk.Errorf(sdk.ErrorInvalidConfig, "settings.%s could not be rendered", setting).
		WithRemediation(fmt.Sprintf("Check the template in settings.%s against the data it is given: the subject's identifiers, and record, job_id or outputs where they apply.", setting))
}
