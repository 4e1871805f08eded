package respond

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/dsrhost/dsrhost/daemon/internal/store"
)

// formOverhead is what the form may carry beyond the files: the answer, the
// note and multipart framing.
const formOverhead = 1 << 20

// Limits of the form's text fields, in bytes.
const (
	maxAnswerBytes = 64
	maxNoteBytes   = MaxNoteChars * 4
)

// form is a submitted answer page. Its files are staged, sealed, as they
// arrived (upload); the caller commits them with the answer or discards
// them.
type form struct {
	answer string
	note   string
	upload *store.Upload
}

// readForm reads the answer page's POST part by part, sealing each file in
// chunks into up as it arrives: files are never held whole in memory and
// never touch the disk unsealed, and a file over a limit is refused as
// soon as it crosses it. The whole body is bounded by MaxBytesReader. On
// an error the caller discards what up staged.
func readForm(w http.ResponseWriter, r *http.Request, lim Limits, up *store.Upload) (*form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxTotalBytes+formOverhead)
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, &InputError{Field: "answer", Message: "The form could not be read. Open the link again and send the form from the page."}
	}
	switch ct {
	case "multipart/form-data":
		return readMultipart(r, lim, up)
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, bodyError(err, lim)
		}
		return &form{answer: r.PostForm.Get("answer"), note: r.PostForm.Get("note"), upload: up}, nil
	}
	return nil, &InputError{Field: "answer", Message: "The form could not be read. Open the link again and send the form from the page."}
}

func readMultipart(r *http.Request, lim Limits, up *store.Upload) (*form, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &InputError{Field: "answer", Message: "The form could not be read. Open the link again and send the form from the page."}
	}
	f := &form{upload: up}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return nil, bodyError(err, lim)
		}
		switch part.FormName() {
		case "answer":
			if f.answer, err = readField(part, maxAnswerBytes); err != nil {
				return nil, bodyError(err, lim)
			}
		case "note":
			if f.note, err = readField(part, maxNoteBytes); err != nil {
				return nil, fieldError("note", err, lim, fmt.Sprintf("The note can be at most %d characters long.", MaxNoteChars))
			}
		case "files":
			if err := stageFile(r.Context(), part, part.FileName(), part.Header.Get("Content-Type"), lim, up); err != nil {
				return nil, err
			}
		default:
			if _, err := io.Copy(io.Discard, part); err != nil {
				return nil, bodyError(err, lim)
			}
		}
	}
}

// stageFile seals one uploaded file into up as it is read, under the
// limits. The empty part a browser sends when no file was chosen is
// skipped.
func stageFile(ctx context.Context, src io.Reader, name, contentType string, lim Limits, up *store.Upload) error {
	br := bufio.NewReader(src)
	if _, err := br.Peek(1); name == "" && errors.Is(err, io.EOF) {
		return nil
	}
	i := up.Len()
	if i == lim.MaxFiles {
		return lim.tooManyFiles()
	}
	name = cleanFileName(name, i)
	fw := up.Create(ctx, name, cleanContentType(contentType))
	// Read at most one byte past either limit, to tell that it was crossed.
	room := min(lim.MaxFileBytes, lim.MaxTotalBytes-up.Size())
	rd := &readErr{r: io.LimitReader(br, room+1)}
	n, err := io.Copy(fw, rd)
	switch {
	case rd.err != nil:
		return bodyError(rd.err, lim)
	case err != nil:
		return fmt.Errorf("stage uploaded file: %w", err)
	}
	if n > room {
		if n > lim.MaxFileBytes {
			return lim.fileTooLarge(name)
		}
		return lim.totalTooLarge()
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("stage uploaded file: %w", err)
	}
	return nil
}

// readErr remembers a read's failure, to tell a broken upload (the
// processor's to send again) from a failure to store it (ours).
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		e.err = err
	}
	return n, err
}

// errFieldTooLong is a text field over its limit.
var errFieldTooLong = errors.New("field too long")

func readField(part *multipart.Part, limit int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, limit+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > limit {
		return "", errFieldTooLong
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}

// bodyError words a failure to read the request body.
func bodyError(err error, lim Limits) error {
	if mbe := new(http.MaxBytesError); errors.As(err, &mbe) {
		return lim.totalTooLarge()
	}
	if errors.Is(err, errFieldTooLong) {
		return &InputError{Field: "answer", Message: "The answer could not be read. Pick one of the answers offered."}
	}
	return &InputError{Field: "answer", Message: "The form arrived incomplete. Please send it again."}
}

func fieldError(field string, err error, lim Limits, tooLong string) error {
	if errors.Is(err, errFieldTooLong) {
		return &InputError{Field: field, Message: tooLong}
	}
	return bodyError(err, lim)
}
