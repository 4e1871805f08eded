package respond

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/dsrhost/dsrhost/sdk"
)

// formOverhead is what the form may carry beyond the files: the answer, the
// note and multipart framing.
const formOverhead = 1 << 20

// Limits of the form's text fields, in bytes.
const (
	maxAnswerBytes = 64
	maxNoteBytes   = MaxNoteChars * 4
)

// form is a submitted answer page.
type form struct {
	answer string
	note   string
	files  []sdk.File
}

// readForm reads the answer page's POST, streaming multipart parts into
// memory under the limits: files never touch the disk (they hold personal
// data and are stored only sealed), and a file over a limit is refused as
// soon as it crosses it. The whole body is bounded by MaxBytesReader.
func readForm(w http.ResponseWriter, r *http.Request, lim Limits) (*form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxTotalBytes+formOverhead)
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, &InputError{Field: "answer", Message: "The form could not be read. Open the link again and send the form from the page."}
	}
	switch ct {
	case "multipart/form-data":
		return readMultipart(r, lim)
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, bodyError(err, lim)
		}
		return &form{answer: r.PostForm.Get("answer"), note: r.PostForm.Get("note")}, nil
	}
	return nil, &InputError{Field: "answer", Message: "The form could not be read. Open the link again and send the form from the page."}
}

func readMultipart(r *http.Request, lim Limits) (*form, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &InputError{Field: "answer", Message: "The form could not be read. Open the link again and send the form from the page."}
	}
	f := &form{}
	var total int64
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
			file, err := readFile(part, len(f.files), lim)
			if err != nil {
				return nil, err
			}
			if file == nil {
				continue
			}
			if len(f.files) == lim.MaxFiles {
				return nil, lim.tooManyFiles()
			}
			total += int64(len(file.Content))
			if total > lim.MaxTotalBytes {
				return nil, lim.totalTooLarge()
			}
			f.files = append(f.files, *file)
		default:
			if _, err := io.Copy(io.Discard, part); err != nil {
				return nil, bodyError(err, lim)
			}
		}
	}
}

// readFile reads one uploaded file, or nil for the empty part a browser
// sends when no file was chosen.
func readFile(part *multipart.Part, i int, lim Limits) (*sdk.File, error) {
	name := part.FileName()
	content, err := io.ReadAll(io.LimitReader(part, lim.MaxFileBytes+1))
	if err != nil {
		return nil, bodyError(err, lim)
	}
	if name == "" && len(content) == 0 {
		return nil, nil
	}
	if int64(len(content)) > lim.MaxFileBytes {
		return nil, lim.fileTooLarge(cleanFileName(name, i))
	}
	return &sdk.File{Name: name, ContentType: part.Header.Get("Content-Type"), Content: content}, nil
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
