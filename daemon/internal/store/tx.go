package store

import (
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// Tx collects the changes to one request that must happen together: new
// versions of its objects, results, expirations and history entries.
// Nothing is written until [Store.Commit].
type Tx struct {
	id      string
	checks  []versionCheck
	writes  []objectWrite
	deletes []versionCheck
	results []resultWrite
	expires []resultExpire
	events  []Event
	lookups []lookupAdd
	// attention are changes to the attention index (attention.go).
	attention []attentionOp
	// compliance is how a closing request was answered (report.go).
	compliance Compliance
}

type versionCheck struct {
	field   string
	version int64
	it      *Integration
}

type objectWrite struct {
	// personal is a written request's personal data as encoded, set by
	// Commit: stored once the commit succeeds.
	personal []byte
	field    string
	version  int64
	req      *Request
	it       *Integration
	manual   *ManualTask
}

type resultWrite struct {
	workflow state.Workflow
	name     string
	result   *Result
	ttl      time.Duration
}

type resultExpire struct {
	workflow state.Workflow
	name     string
	ttl      time.Duration
}

type lookupAdd struct{ purpose, value string }

// NewTx starts a change to request id.
func (s *Store) NewTx(id string) *Tx { return &Tx{id: id} }

// ID is the request the Tx changes.
func (tx *Tx) ID() string { return tx.id }

// Empty reports whether the Tx would change nothing.
func (tx *Tx) Empty() bool {
	return len(tx.writes) == 0 && len(tx.deletes) == 0 && len(tx.results) == 0 &&
		len(tx.expires) == 0 && len(tx.events) == 0
}

// CheckRequest makes the commit fail unless the request is still at the
// version read, without writing it: for decisions that depend on it.
func (tx *Tx) CheckRequest(r *Request) {
	tx.checks = append(tx.checks, versionCheck{field: fieldRequest, version: r.Version})
}

// CheckIntegration is CheckRequest for an integration state.
func (tx *Tx) CheckIntegration(i *Integration) {
	tx.checks = append(tx.checks, versionCheck{field: integrationField(i.Workflow, i.Name), version: i.Version})
}

// PutRequest writes r, expecting the stored request to be at r.Version
// (0: it must not exist yet).
func (tx *Tx) PutRequest(r *Request) {
	tx.put(objectWrite{field: fieldRequest, version: r.Version, req: r})
}

// put adds a write; a second write of the same field in one Tx replaces
// the first, keeping the version the first expected, so a decision and the
// move it allows can both write the request in one commit.
func (tx *Tx) put(w objectWrite) {
	for i := range tx.writes {
		if tx.writes[i].field == w.field {
			w.version = tx.writes[i].version
			tx.writes[i] = w
			return
		}
	}
	tx.writes = append(tx.writes, w)
}

// PutIntegration writes i, expecting the stored state to be at i.Version
// (0: it must not exist yet).
func (tx *Tx) PutIntegration(i *Integration) {
	tx.put(objectWrite{field: integrationField(i.Workflow, i.Name), version: i.Version, it: i})
}

// DeleteIntegration removes i (an unselected data source), expecting it at
// i.Version.
func (tx *Tx) DeleteIntegration(i *Integration) {
	tx.deletes = append(tx.deletes, versionCheck{integrationField(i.Workflow, i.Name), i.Version, i})
}

// DeleteManual removes a checklist item, expecting it at m.Version.
func (tx *Tx) DeleteManual(m *ManualTask) {
	tx.deletes = append(tx.deletes, versionCheck{field: manualField(m.Name), version: m.Version})
}

// PutManual writes m, expecting the stored item to be at m.Version.
func (tx *Tx) PutManual(m *ManualTask) {
	tx.writes = append(tx.writes, objectWrite{field: manualField(m.Name), version: m.Version, manual: m})
}

// PutResult stores what an integration found; ttl 0 keeps it until
// ExpireResult.
func (tx *Tx) PutResult(w state.Workflow, name string, r *Result, ttl time.Duration) {
	tx.results = append(tx.results, resultWrite{workflow: w, name: name, result: r, ttl: ttl})
}

// ExpireResult sets an integration's results to be purged after ttl.
func (tx *Tx) ExpireResult(w state.Workflow, name string, ttl time.Duration) {
	tx.expires = append(tx.expires, resultExpire{workflow: w, name: name, ttl: ttl})
}

// Append adds an entry to the request's history.
func (tx *Tx) Append(ev Event) { tx.events = append(tx.events, ev) }

// AddLookup indexes the request under a keyed hash of value (for example
// the subject's email), never the value itself.
func (tx *Tx) AddLookup(purpose, value string) {
	if value != "" {
		tx.lookups = append(tx.lookups, lookupAdd{purpose, value})
	}
}
