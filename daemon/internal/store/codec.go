package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/dsrhost/dsrhost/daemon/internal/seal"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	storev1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/store/v1"
	"github.com/dsrhost/dsrhost/sdk"
)

// The documents are protobuf messages (package storev1): a few bytes per
// field where JSON spelled out names, codes and RFC 3339 times, and
// binary fields instead of text to parse or base64 to decode. Sealed
// fields are AES-GCM ciphertext bound to the request and the field (seal's
// aad).

type sealer struct{ ring *seal.KeyRing }

func aad(id, what string) []byte { return []byte(id + "/" + what) }

// What sealed values are bound to, besides their request.
const (
	aadPersonal = "personal"
	aadHistory  = "history"
)

func handleAAD(w state.Workflow, name string) string { return "handle/" + w.Code() + "/" + name }
func noteAAD(name string) string                     { return "note/" + name }
func resultAAD(w state.Workflow, name string) string { return "result/" + w.Code() + "/" + name }

func (c sealer) sealString(id, what, v string) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	return c.ring.Seal([]byte(v), aad(id, what))
}

func (c sealer) openString(id, what string, b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	p, err := c.ring.Open(b, aad(id, what))
	if err != nil {
		return "", fmt.Errorf("open %s of request %s: %w", what, id, err)
	}
	return string(p), nil
}

func marshal(what string, m proto.Message) ([]byte, error) {
	b, err := proto.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	return b, nil
}

// millis and fromMillis store times as Unix milliseconds, 0 for none:
// 6 bytes of varint for a date of this century, where nanoseconds take 9
// and a request's dates need no finer grain.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

// encodeRequest returns the request's document and its personal data,
// sealed whole for the request's ":pd" key, and unsealed (plain). When the
// personal data is what was read (r.storedPersonal), sealed is nil: a
// request moving from stage to stage does not encrypt and write again
// what has not changed.
func (c sealer) encodeRequest(r *Request) (doc, sealed, plain []byte, err error) {
	d := &storev1.RequestDoc{
		CreatedAt: millis(r.CreatedAt), DueAt: millis(r.DueAt), ClosedAt: millis(r.ClosedAt),
		Source: r.Source, AwaitDelete: r.AwaitingDeletionApproval, Selected: r.Selected,
	}
	if d.Type, err = requestTypeCodes.encode(r.Type); err != nil {
		return nil, nil, nil, err
	}
	if d.Stage, err = stageCodes.encode(r.Stage); err != nil {
		return nil, nil, nil, err
	}
	if d.Workflow, err = workflowCodes.encode(r.Workflow); err != nil {
		return nil, nil, nil, err
	}
	if d.Outcome, err = outcomeCodes.encode(r.Outcome); err != nil {
		return nil, nil, nil, err
	}
	if doc, err = marshal("request", d); err != nil {
		return nil, nil, nil, err
	}
	p, err := deterministic.Marshal(&storev1.PersonalDoc{
		Subject: &storev1.Subject{
			Email: r.Subject.Email, Phone: r.Subject.Phone, UserId: r.Subject.UserID,
			Identifiers: r.Subject.Identifiers,
		},
		Details: r.Details, SourceDetail: r.SourceDetail,
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("encode subject: %w", err)
	}
	if r.storedPersonal != nil && bytes.Equal(p, r.storedPersonal) {
		return doc, nil, p, nil
	}
	if sealed, err = c.ring.Seal(p, aad(r.ID, aadPersonal)); err != nil {
		return nil, nil, nil, err
	}
	return doc, sealed, p, nil
}

// deterministic marshals personal data the same way each time (map
// entries in order), so that unchanged data compares equal.
var deterministic = proto.MarshalOptions{Deterministic: true}

// decodeRequest reads the request's document, at version, and its sealed
// personal data.
func (c sealer) decodeRequest(id string, version int64, doc string, personal []byte) (*Request, error) {
	var d storev1.RequestDoc
	err := proto.Unmarshal([]byte(doc), &d)
	if err != nil {
		return nil, fmt.Errorf("decode request %s: %w", id, err)
	}
	r := &Request{
		ID: id, Source: d.Source, CreatedAt: fromMillis(d.CreatedAt), DueAt: fromMillis(d.DueAt),
		ClosedAt: fromMillis(d.ClosedAt), AwaitingDeletionApproval: d.AwaitDelete,
		Selected: d.Selected, Version: version,
	}
	if r.Type, err = requestTypeCodes.decode(d.Type); err != nil {
		return nil, fmt.Errorf("decode request %s: %w", id, err)
	}
	if r.Stage, err = stageCodes.decode(d.Stage); err != nil {
		return nil, fmt.Errorf("decode request %s: %w", id, err)
	}
	if r.Workflow, err = workflowCodes.decode(d.Workflow); err != nil {
		return nil, fmt.Errorf("decode request %s: %w", id, err)
	}
	if r.Outcome, err = outcomeCodes.decode(d.Outcome); err != nil {
		return nil, fmt.Errorf("decode request %s: %w", id, err)
	}
	if personal == nil {
		return nil, fmt.Errorf("request %s has no personal data stored", id)
	}
	p, err := c.ring.Open(personal, aad(id, aadPersonal))
	if err != nil {
		return nil, fmt.Errorf("open subject of request %s: %w", id, err)
	}
	var pd storev1.PersonalDoc
	if err := proto.Unmarshal(p, &pd); err != nil {
		return nil, fmt.Errorf("decode subject of request %s: %w", id, err)
	}
	if s := pd.GetSubject(); s != nil {
		r.Subject = sdk.Subject{Email: s.Email, Phone: s.Phone, UserID: s.UserId, Identifiers: s.Identifiers}
	}
	r.Details, r.SourceDetail = pd.Details, pd.SourceDetail
	r.indexedStage = r.Stage
	if r.storedPersonal, err = deterministic.Marshal(&pd); err != nil {
		return nil, fmt.Errorf("decode subject of request %s: %w", id, err)
	}
	return r, nil
}

func (c sealer) encodeIntegration(id string, i *Integration) ([]byte, error) {
	d := &storev1.IntegrationDoc{
		Order: int32(i.Order), UpdatedAt: millis(i.UpdatedAt), Category: i.Category,
		DependsOn: i.DependsOn, Count: i.Count, DueAt: millis(i.DueAt), Attempt: int32(i.Attempt),
		PollSeq: int32(i.PollSeq), SubmittedAt: millis(i.SubmittedAt),
		NextAttemptAt: millis(i.NextAttemptAt), NextPollAt: millis(i.NextPollAt),
		OverdueNoted: i.OverdueNoted, Transient: int32(i.Transient), Try: int32(i.Try),
	}
	var err error
	if d.Status, err = statusCodes.encode(i.Status); err != nil {
		return nil, err
	}
	if d.Detail, err = detailCodes.encode(i.Detail); err != nil {
		return nil, err
	}
	if d.Type, err = integrationTypeCodes.encode(i.Type); err != nil {
		return nil, err
	}
	if d.Phase, err = phaseCodes.encode(i.Phase); err != nil {
		return nil, err
	}
	if e := i.Error; e != nil {
		d.Error = &storev1.ErrorInfo{
			Type: string(e.Type), StatusCode: int32(e.StatusCode), Message: e.Message,
			Remediation: e.Remediation, Retryable: e.Retryable,
		}
	}
	if d.Handle, err = c.sealString(id, handleAAD(i.Workflow, i.Name), i.Handle); err != nil {
		return nil, err
	}
	return marshal("integration state", d)
}

// decodeIntegration reads the integration state named w and name.
func (c sealer) decodeIntegration(id string, w state.Workflow, name string, version int64, doc string) (*Integration, error) {
	var d storev1.IntegrationDoc
	err := proto.Unmarshal([]byte(doc), &d)
	if err != nil {
		return nil, fmt.Errorf("decode integration state of request %s: %w", id, err)
	}
	i := &Integration{
		Name: name, Workflow: w, Category: d.Category, Order: int(d.Order), DependsOn: d.DependsOn,
		Count: d.Count, DueAt: fromMillis(d.DueAt), Attempt: int(d.Attempt), PollSeq: int(d.PollSeq),
		SubmittedAt: fromMillis(d.SubmittedAt), NextAttemptAt: fromMillis(d.NextAttemptAt),
		NextPollAt: fromMillis(d.NextPollAt), UpdatedAt: fromMillis(d.UpdatedAt),
		OverdueNoted: d.OverdueNoted, Transient: int(d.Transient), Try: int(d.Try), Version: version,
	}
	if i.Status, err = statusCodes.decode(d.Status); err != nil {
		return nil, fmt.Errorf("decode integration state of request %s: %w", id, err)
	}
	if i.Detail, err = detailCodes.decode(d.Detail); err != nil {
		return nil, fmt.Errorf("decode integration state of request %s: %w", id, err)
	}
	if i.Type, err = integrationTypeCodes.decode(d.Type); err != nil {
		return nil, fmt.Errorf("decode integration state of request %s: %w", id, err)
	}
	if i.Phase, err = phaseCodes.decode(d.Phase); err != nil {
		return nil, fmt.Errorf("decode integration state of request %s: %w", id, err)
	}
	if e := d.GetError(); e != nil {
		i.Error = &state.ErrorInfo{
			Type: sdk.ErrorType(e.Type), StatusCode: int(e.StatusCode), Message: e.Message,
			Remediation: e.Remediation, Retryable: e.Retryable,
		}
	}
	if i.Handle, err = c.openString(id, handleAAD(w, name), d.Handle); err != nil {
		return nil, err
	}
	i.indexedStatus = i.Status
	return i, nil
}

func (c sealer) encodeManual(id string, m *ManualTask) ([]byte, error) {
	d := &storev1.ManualDoc{
		Order: int32(m.Order), Done: m.Done, Category: m.Category, Instructions: m.Instructions,
		DoneBy: m.DoneBy, DoneAt: millis(m.DoneAt),
	}
	var err error
	if d.Note, err = c.sealString(id, noteAAD(m.Name), m.Note); err != nil {
		return nil, err
	}
	return marshal("manual task", d)
}

func (c sealer) decodeManual(id, name string, version int64, doc string) (*ManualTask, error) {
	var d storev1.ManualDoc
	err := proto.Unmarshal([]byte(doc), &d)
	if err != nil {
		return nil, fmt.Errorf("decode manual task of request %s: %w", id, err)
	}
	m := &ManualTask{
		Name: name, Category: d.Category, Instructions: d.Instructions, Order: int(d.Order),
		Done: d.Done, DoneBy: d.DoneBy, DoneAt: fromMillis(d.DoneAt), Version: version,
	}
	if m.Note, err = c.openString(id, noteAAD(name), d.Note); err != nil {
		return nil, err
	}
	return m, nil
}

func (c sealer) encodeResult(id string, w state.Workflow, name string, r *Result) ([]byte, error) {
	d := &storev1.ResultDoc{Identifiers: r.Identifiers}
	if len(r.Records) > 0 {
		d.Records = make([]*storev1.Record, len(r.Records))
		for i, rec := range r.Records {
			d.Records[i] = &storev1.Record{Id: rec.ID, Kind: rec.Kind, Data: rec.Data}
		}
	}
	if len(r.Files) > 0 {
		d.Files = make([]*storev1.File, len(r.Files))
		for i, f := range r.Files {
			d.Files[i] = &storev1.File{Name: f.Name, ContentType: f.ContentType, Content: f.Content}
		}
	}
	for _, f := range r.Upload.Files() {
		d.Files = append(d.Files, &storev1.File{Name: f.Name, ContentType: f.ContentType, Stored: &storev1.StoredChunks{
			Upload: f.Upload, Index: int32(f.Index), Chunks: int32(f.Chunks), Size: f.Size}})
	}
	b, err := proto.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	return c.ring.Seal(b, aad(id, resultAAD(w, name)))
}

func (c sealer) decodeResult(id string, w state.Workflow, name string, b []byte) (*Result, error) {
	p, err := c.ring.Open(b, aad(id, resultAAD(w, name)))
	if err != nil {
		return nil, fmt.Errorf("open result of %s in request %s: %w", name, id, err)
	}
	var d storev1.ResultDoc
	if err := proto.Unmarshal(p, &d); err != nil {
		return nil, fmt.Errorf("decode result of %s in request %s: %w", name, id, err)
	}
	r := &Result{Identifiers: d.Identifiers}
	if len(d.Records) > 0 {
		r.Records = make([]sdk.Record, len(d.Records))
		for i, rec := range d.Records {
			r.Records[i] = sdk.Record{ID: rec.Id, Kind: rec.Kind, Data: json.RawMessage(rec.Data)}
		}
	}
	for _, f := range d.Files {
		if st := f.GetStored(); st != nil {
			r.Stored = append(r.Stored, StoredFile{Name: f.Name, ContentType: f.ContentType, Size: st.Size,
				Upload: st.Upload, Index: int(st.Index), Chunks: int(st.Chunks)})
			continue
		}
		r.Files = append(r.Files, sdk.File{Name: f.Name, ContentType: f.ContentType, Content: f.Content})
	}
	return r, nil
}
