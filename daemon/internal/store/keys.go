package store

import (
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// Fields of the request hash. Each object field f has its version in "v:"+f.
const (
	fieldRequest     = "req"
	prefixIntegation = "int:"
	prefixManual     = "man:"
	prefixVersion    = "v:"
)

func (s *Store) requestKey(id string) string { return s.prefix + ":{" + id + "}" }
func (s *Store) historyKey(id string) string { return s.prefix + ":{" + id + "}:hist" }
func (s *Store) resultKey(id string, w state.Workflow, name string) string {
	return s.prefix + ":{" + id + "}:res:" + w.Code() + "/" + name
}

func (s *Store) indexAll() string                   { return s.prefix + ":idx:all" }
func (s *Store) indexStage(st state.Stage) string   { return s.prefix + ":idx:stage:" + st.Code() }
func (s *Store) indexType(t string) string          { return s.prefix + ":idx:type:" + t }
func (s *Store) indexStatus(st state.Status) string { return s.prefix + ":idx:istatus:" + st.Code() }
func (s *Store) lookupKey(purpose, hash string) string {
	return s.prefix + ":lookup:" + purpose + ":" + hash
}

func integrationField(w state.Workflow, name string) string {
	return prefixIntegation + w.Code() + "/" + name
}

func manualField(name string) string { return prefixManual + name }

// statusMember is an entry of a status index: request ids are ULIDs, so
// members sort by creation time and a request's entries sit together.
func statusMember(id string, w state.Workflow, name string) string {
	return id + "|" + w.Code() + "|" + name
}

func memberRequestID(m string) string {
	id, _, _ := strings.Cut(m, "|")
	return id
}
