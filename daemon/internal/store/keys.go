package store

import "github.com/dsrhost/dsrhost/daemon/internal/state"

// Fields of the request hash. Names and values stay under 64 bytes (Redis's
// default hash-max-listpack-value) for an open request, so the hash keeps
// its compact listpack encoding.
const (
	// fieldRequest holds the request, less its personal data.
	fieldRequest = "r"
	// prefixManual starts a manual task's field: "m:<name>".
	prefixManual = "m:"
	// prefixCount starts a status counter: "#<status letter>" holds how
	// many of the request's integrations are in that status.
	prefixCount = "#"
)

func (s *Store) requestKey(id string) string  { return s.prefix + ":{" + id + "}" }
func (s *Store) historyKey(id string) string  { return s.prefix + ":{" + id + "}:hist" }
func (s *Store) personalKey(id string) string { return s.prefix + ":{" + id + "}:pd" }
func (s *Store) extKey(id string) string      { return s.prefix + ":{" + id + "}:ext" }
func (s *Store) resultKey(id string, w state.Workflow, name string) string {
	return s.prefix + ":{" + id + "}:res:" + w.Code() + "/" + name
}

func (s *Store) indexAll() string                   { return s.prefix + ":idx:all" }
func (s *Store) indexStage(st state.Stage) string   { return s.prefix + ":idx:stage:" + st.Code() }
func (s *Store) indexType(t string) string          { return s.prefix + ":idx:type:" + t }
func (s *Store) indexStatus(st state.Status) string { return s.prefix + ":idx:istatus:" + st.Code() }
func (s *Store) lookupKey(purpose string) string    { return s.prefix + ":lookup:" + purpose }

// integrationField names an integration state: "x:<name>" in Extracting,
// "d:<name>" in Pending Delete.
func integrationField(w state.Workflow, name string) string {
	return workflowLetter(w) + ":" + name
}

func manualField(name string) string { return prefixManual + name }

func countField(st state.Status) string { return prefixCount + statusLetter(st) }

// lookupHashLen is how much of a keyed hash a lookup entry keeps: 64 bits
// tell subjects apart, and a rare collision only adds a candidate that the
// decrypted subject then rules out.
const lookupHashLen = 16

// lookupMember is an entry of a lookup index: the keyed hash's first
// lookupHashLen hex digits, then the request id, so one ZRANGEBYLEX over
// the hash finds every request of a subject.
func lookupMember(hash, id string) string { return lookupPrefix(hash) + id }

func lookupPrefix(hash string) string { return hash[:min(len(hash), lookupHashLen)] }
