package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// Name is the file name an archive of request id is offered under.
func Name(id string) string { return "dsrhost-" + id + ".zip" }

// Options shape an archive.
type Options struct {
	// Now is the export time recorded in the manifest.
	Now time.Time
	// Index adds index.txt, a plain-words table of contents for the
	// subject who downloads the archive.
	Index bool
	// Organisation names who holds the data, in the index.
	Organisation string
}

// The JSON documents of an export archive.
type (
	exportManifest struct {
		RequestID    string            `json:"request_id"`
		Type         string            `json:"type"`
		CreatedAt    time.Time         `json:"created_at"`
		ExportedAt   time.Time         `json:"exported_at"`
		Integrations []exportIndexItem `json:"integrations"`
	}
	exportIndexItem struct {
		Integration string `json:"integration"`
		Workflow    string `json:"workflow"`
		File        string `json:"file"`
		Records     int    `json:"records"`
		Files       int    `json:"files"`
	}
	exportIntegration struct {
		Integration string            `json:"integration"`
		Workflow    string            `json:"workflow"`
		Records     []exportRecord    `json:"records"`
		Identifiers map[string]string `json:"identifiers,omitempty"`
		Files       []exportFile      `json:"files,omitempty"`
	}
	exportRecord struct {
		ID   string          `json:"id,omitempty"`
		Kind string          `json:"kind,omitempty"`
		Data json.RawMessage `json:"data,omitempty"`
	}
	exportFile struct {
		Name        string `json:"name"`
		ContentType string `json:"content_type,omitempty"`
		// Path is the file's place in the archive.
		Path string `json:"path"`
		Size int64  `json:"size"`
	}
)

// Write writes a request's access results as one zip to w: manifest.json
// listing what is inside, integrations/<name>.json with each integration's
// records (as the third party returned them) and identifiers, and
// files/<name>/<file> for files found or uploaded. Results arrive
// decrypted from the engine and exist only in memory while the archive is
// written; uploaded files are copied in a chunk at a time, never held
// whole.
func Write(ctx context.Context, w io.Writer, r *engine.Request, results []engine.Result, opts Options) error {
	now := opts.Now
	zw := zip.NewWriter(w)
	manifest := exportManifest{
		RequestID: r.ID, Type: string(r.Type), CreatedAt: r.CreatedAt.UTC(), ExportedAt: now.UTC(),
		Integrations: []exportIndexItem{},
	}
	used := map[string]bool{}
	for _, res := range results {
		base := safeName(res.Integration)
		if res.Workflow != state.Extracting && res.Workflow != state.WorkflowNone {
			base += "." + res.Workflow.Code()
		}
		doc := exportIntegration{
			Integration: res.Integration, Workflow: res.Workflow.String(),
			Records: make([]exportRecord, 0, len(res.Records)), Identifiers: res.Identifiers,
		}
		for _, rec := range res.Records {
			data := rec.Data
			if len(data) > 0 && !json.Valid(data) {
				// Keep what the connector sent, as a JSON string.
				data, _ = json.Marshal(string(data))
			}
			doc.Records = append(doc.Records, exportRecord{ID: rec.ID, Kind: rec.Kind, Data: data})
		}
		for _, f := range res.Files {
			p := unique(used, path.Join("files", base, safeName(f.Name)))
			if err := writeEntry(zw, p, f.Content, now); err != nil {
				return err
			}
			doc.Files = append(doc.Files, exportFile{Name: f.Name, ContentType: f.ContentType, Path: p, Size: int64(len(f.Content))})
		}
		for _, u := range res.Uploads {
			p := unique(used, path.Join("files", base, safeName(u.Name)))
			if err := copyEntry(zw, p, u.Open(ctx), now); err != nil {
				return err
			}
			doc.Files = append(doc.Files, exportFile{Name: u.Name, ContentType: u.ContentType, Path: p, Size: u.Size})
		}
		name := unique(used, path.Join("integrations", base+".json"))
		body, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return fmt.Errorf("export %s: %w", res.Integration, err)
		}
		if err := writeEntry(zw, name, append(body, '\n'), now); err != nil {
			return err
		}
		manifest.Integrations = append(manifest.Integrations, exportIndexItem{
			Integration: res.Integration, Workflow: res.Workflow.String(), File: name,
			Records: len(res.Records), Files: len(res.Files) + len(res.Uploads),
		})
	}
	body, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return fmt.Errorf("export manifest: %w", err)
	}
	if err := writeEntry(zw, "manifest.json", append(body, '\n'), now); err != nil {
		return err
	}
	if opts.Index {
		if err := writeEntry(zw, "index.txt", index(r, manifest, opts), now); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finish export archive: %w", err)
	}
	return nil
}

func writeEntry(zw *zip.Writer, name string, content []byte, now time.Time) error {
	return copyEntry(zw, name, bytes.NewReader(content), now)
}

// copyEntry adds an entry to the archive with what src reads.
func copyEntry(zw *zip.Writer, name string, src io.Reader, now time.Time) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now.UTC()})
	if err != nil {
		return fmt.Errorf("export archive entry %s: %w", name, err)
	}
	if _, err := io.Copy(w, src); err != nil {
		return fmt.Errorf("export archive entry %s: %w", name, err)
	}
	return nil
}

// safeName turns a name from a connector or processor into one path
// element: no directories, no "..", no control characters, never empty.
func safeName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\' || r == ':':
			return '_'
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, " .")
	if name == "" {
		return "unnamed"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// unique returns p, or p with a counter before its extension when an
// earlier entry took it.
func unique(used map[string]bool, p string) string {
	if !used[p] {
		used[p] = true
		return p
	}
	ext := path.Ext(p)
	stem := strings.TrimSuffix(p, ext)
	for i := 2; ; i++ {
		q := fmt.Sprintf("%s-%d%s", stem, i, ext)
		if !used[q] {
			used[q] = true
			return q
		}
	}
}
