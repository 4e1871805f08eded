package connector

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/ohler55/ojg/jp"
)

// accessPlan is the access block compiled: the request, where the records
// and their ids are, what to pass downstream, how to page and whether the
// API answers later.
type accessPlan struct {
	endpoint
	records     jp.Expr
	id          jp.Expr
	kind        string
	identifiers []identifierPath
	notFound    bool // 404 means no records
	pages       *pagination
	async       *asyncPlan
	steps       []*step
}

// step is a step block compiled: a request and the outputs read from its
// answer.
type step struct {
	endpoint
	outputs []identifierPath
}

// identifierPath is one entry of access.identifiers.
type identifierPath struct {
	name string
	path jp.Expr
}

// deletionPlan is the deletion block compiled.
type deletionPlan struct {
	endpoint
	perRecord bool
	notFound  bool // 404 means deleted
	async     *asyncPlan
	steps     []*step
}

// asyncPlan is an async block compiled: how to find the job, ask for its
// state and read the state.
type asyncPlan struct {
	jobID     jp.Expr
	status    *endpoint
	state     jp.Expr
	done      []string
	failed    []string
	pollAfter time.Duration
	result    *endpoint // access only; nil reads records from the status answer
}

// pagination is a pagination block compiled, defaults applied.
type pagination struct {
	kind        string
	limit       int
	offsetParam string
	limitParam  string
	next        jp.Expr // body_link
	cursor      jp.Expr
	cursorParam string
	cursorBody  jp.Expr // where the cursor goes in the request body
	maxPages    int
}

// The pagination kinds.
const (
	pageOffset     = "offset"
	pageLinkHeader = "link_header"
	pageBodyLink   = "body_link"
	pageCursor     = "cursor"
)

func (c *compiler) access(s *accessSettings) *accessPlan {
	path := []string{"access"}
	steps, outputs := c.steps(path, s.Steps, scope{subject: true})
	p := &accessPlan{
		endpoint: *c.endpoint(path, &s.requestSettings, http.MethodGet, scope{subject: true, outputs: outputs}),
		notFound: s.NotFoundIsEmpty,
		kind:     s.RecordKind,
		steps:    steps,
	}
	if p.kind == "" {
		p.kind = "record"
	}
	if s.RecordsPath != "" {
		p.records = c.jsonPath(at(path, "records_path"), s.RecordsPath)
	}
	idPath := s.IDPath
	if idPath == "" {
		idPath = "$.id"
	}
	p.id = c.jsonPath(at(path, "id_path"), idPath)
	for _, name := range sortedKeys(s.Identifiers) {
		x, problem := compilePath(s.Identifiers[name])
		if problem != "" {
			c.errorf(at(path, "identifiers"), "Invalid JSONPath", "Identifier %q: %s", name, problem)
			continue
		}
		p.identifiers = append(p.identifiers, identifierPath{name: name, path: x})
	}
	if s.Pagination != nil {
		p.pages = c.pagination(at(path, "pagination"), s.Pagination)
		if p.pages.cursorBody != nil && s.Body == "" && (s.Async == nil || s.Async.Result == nil || s.Async.Result.Body == "") {
			c.errorf(at(path, "pagination", "cursor_body_path"), "Cursor in a body that does not exist",
				"cursor_body_path puts the cursor in the request body; add a JSON body to the request, or use cursor_param.")
		}
	}
	if s.Async != nil {
		p.async = c.async(at(path, "async"), s.Async)
		if s.Pagination != nil && s.Async.Result == nil {
			c.errorf(at(path, "pagination"), "Pagination without a result request",
				"With an async block, pagination applies to async.result; add a result block or remove pagination.")
		}
	}
	return p
}

func (c *compiler) pagination(path []string, s *paginationSettings) *pagination {
	p := &pagination{kind: s.Kind, maxPages: 1000}
	if s.MaxPages != nil {
		n := *s.MaxPages
		if n < 1 || n != math.Trunc(n) || n > 1e6 {
			c.errorf(at(path, "max_pages"), "Invalid page limit", "max_pages must be a whole number from 1 to 1000000.")
		} else {
			p.maxPages = int(n)
		}
	}
	// Each kind's own settings; setting another kind's is a mistake worth
	// reporting, not ignoring.
	used := map[string]bool{}
	set := map[string]bool{
		"limit": s.Limit != nil, "offset_param": s.OffsetParam != "", "limit_param": s.LimitParam != "",
		"next_path": s.NextPath != "", "cursor_path": s.CursorPath != "", "cursor_param": s.CursorParam != "",
		"cursor_body_path": s.CursorBody != "",
	}
	switch s.Kind {
	case pageOffset:
		used["limit"], used["offset_param"], used["limit_param"] = true, true, true
		p.limit = 100
		if s.Limit != nil {
			n := *s.Limit
			if n < 1 || n != math.Trunc(n) || n > 1e6 {
				c.errorf(at(path, "limit"), "Invalid page size", "limit must be a whole number from 1 to 1000000.")
			} else {
				p.limit = int(n)
			}
		}
		p.offsetParam, p.limitParam = orDefault(s.OffsetParam, "offset"), orDefault(s.LimitParam, "limit")
	case pageLinkHeader:
	case pageBodyLink:
		used["next_path"] = true
		p.next = c.jsonPath(at(path, "next_path"), s.NextPath)
	case pageCursor:
		used["cursor_path"], used["cursor_param"], used["cursor_body_path"] = true, true, true
		p.cursor = c.jsonPath(at(path, "cursor_path"), s.CursorPath)
		p.cursorParam = s.CursorParam
		switch {
		case s.CursorParam == "" && s.CursorBody == "":
			c.errorf(at(path, "cursor_param"), "Missing cursor parameter", "kind = \"cursor\" needs cursor_param, the query parameter that carries the cursor, or cursor_body_path, where it goes in the request body.")
		case s.CursorParam != "" && s.CursorBody != "":
			c.errorf(at(path, "cursor_body_path"), "Cursor in two places", "Set cursor_param or cursor_body_path, not both.")
		case s.CursorBody != "":
			p.cursorBody = c.jsonPath(at(path, "cursor_body_path"), s.CursorBody)
		}
	case "":
		// reported as missing by checkShape
		return p
	default:
		c.errorf(at(path, "kind"), "Unknown pagination kind", "kind must be offset, link_header, body_link or cursor, not %q.", s.Kind)
		return p
	}
	for _, name := range sortedKeys(set) {
		if set[name] && !used[name] {
			c.errorf(at(path, name), "Setting not used by this kind", "%s is not used with kind = %q; remove it or change kind.", name, s.Kind)
		}
	}
	return p
}

func (c *compiler) async(path []string, s *asyncSettings) *asyncPlan {
	a := &asyncPlan{}
	if s.JobIDPath != "" {
		a.jobID = c.jsonPath(at(path, "job_id_path"), s.JobIDPath)
	}
	if s.StatusPath != "" {
		a.state = c.jsonPath(at(path, "status_path"), s.StatusPath)
	}
	for _, v := range s.DoneValues {
		if v != "" {
			a.done = append(a.done, v)
		}
	}
	if len(a.done) == 0 {
		c.errorf(at(path, "done_values"), "No done values", "done_values needs at least one state that means the job finished, such as \"completed\".")
	}
	for _, v := range s.FailedValues {
		if slices.Contains(a.done, v) {
			c.errorf(at(path, "failed_values"), "State both done and failed", "%q is in both done_values and failed_values.", v)
		}
		a.failed = append(a.failed, v)
	}
	if s.PollAfter != "" {
		a.pollAfter = c.duration(at(path, "poll_after"), s.PollAfter, 0)
	}
	jobScope := scope{subject: true, jobID: true}
	if s.Status != nil {
		a.status = c.endpoint(at(path, "status"), s.Status, http.MethodGet, jobScope)
	} // a missing status block is reported by checkShape
	if s.Result != nil {
		a.result = c.endpoint(at(path, "result"), s.Result, http.MethodGet, jobScope)
	}
	return a
}

func (c *compiler) deletion(s *deletionSettings, haveAccess bool) *deletionPlan {
	path := []string{"deletion"}
	p := &deletionPlan{notFound: s.NotFoundIsDeleted}
	sc := scope{subject: true}
	switch s.Mode {
	case "", "per_record":
		p.perRecord = true
		sc.record = true
		if !haveAccess {
			c.errorf(at(path, "mode"), "Per-record deletion without access",
				"mode = \"per_record\" deletes the records the access block finds; add an access block or use mode = \"whole_record\".")
		}
	case "whole_record":
	default:
		c.errorf(at(path, "mode"), "Unknown deletion mode", "mode must be per_record or whole_record, not %q.", s.Mode)
	}
	p.steps, sc.outputs = c.steps(path, s.Steps, sc)
	p.endpoint = *c.endpoint(path, &s.requestSettings, http.MethodDelete, sc)
	if s.Async != nil {
		p.async = c.async(at(path, "async"), s.Async)
	}
	return p
}

// errCrossOrigin refuses a redirect to another origin: Go drops the
// Authorization header there, but not an API key header or query.

// steps compiles a block's step blocks in order, each seeing the outputs of
// the steps before it, and returns every output name for the block's own
// request.
func (c *compiler) steps(path []string, list []stepSettings, sc scope) ([]*step, []string) {
	var steps []*step
	var outputs []string
	for i := range list {
		at := at(path, "step", strconv.Itoa(i))
		sc.outputs = slices.Clone(outputs)
		st := &step{endpoint: *c.endpoint(at, &list[i].requestSettings, http.MethodGet, sc)}
		for _, name := range sortedKeys(list[i].Outputs) {
			x, problem := compilePath(list[i].Outputs[name])
			if problem != "" {
				c.errorf(append(at, "outputs"), "Invalid JSONPath", "Output %q: %s", name, problem)
				continue
			}
			st.outputs = append(st.outputs, identifierPath{name: name, path: x})
			if !slices.Contains(outputs, name) {
				outputs = append(outputs, name)
			}
		}
		steps = append(steps, st)
	}
	return steps, outputs
}
