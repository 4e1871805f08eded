package respond

import (
	"fmt"
	"mime"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dsrhost/dsrhost/sdk"
)

// Limits bound what a processor may upload with one answer.
type Limits struct {
	// MaxFiles is the most files one answer may carry (default 10).
	MaxFiles int
	// MaxFileBytes bounds each file (default 25 MiB).
	MaxFileBytes int64
	// MaxTotalBytes bounds all files together (default 100 MiB). The admin
	// API's request size limit applies to SubmitResponse on top of it.
	MaxTotalBytes int64
}

// Defaults of Limits.
const (
	DefaultMaxFiles      = 10
	DefaultMaxFileBytes  = 25 << 20
	DefaultMaxTotalBytes = 100 << 20
	// MaxNoteChars matches the admin API's limit on SubmitResponse.note.
	MaxNoteChars = 2000
	// maxFileName matches the admin API's limit on UploadedFile.name.
	maxFileName = 255
)

func (l Limits) withDefaults() Limits {
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = DefaultMaxTotalBytes
	}
	return l
}

// tooManyFiles, fileTooLarge and totalTooLarge word the limits for the
// processor.
func (l Limits) tooManyFiles() *InputError {
	return &InputError{Field: "files", TooLarge: true,
		Message: fmt.Sprintf("At most %d files can be uploaded with one answer. Put several files in one archive (a .zip), or send fewer.", l.MaxFiles)}
}

func (l Limits) fileTooLarge(name string) *InputError {
	return &InputError{Field: "files", TooLarge: true,
		Message: fmt.Sprintf("The file %q is larger than the %s allowed for each file. Split it, or compress it.", name, bytesText(l.MaxFileBytes))}
}

func (l Limits) totalTooLarge() *InputError {
	return &InputError{Field: "files", TooLarge: true,
		Message: fmt.Sprintf("The files together are larger than the %s allowed for one answer. Compress them, or ask the sender for another way to deliver them.", bytesText(l.MaxTotalBytes))}
}

// check applies the limits to files already read (SubmitResponse).
func (l Limits) check(files []sdk.File) *InputError {
	if len(files) > l.MaxFiles {
		return l.tooManyFiles()
	}
	var total int64
	for _, f := range files {
		n := int64(len(f.Content))
		if n > l.MaxFileBytes {
			return l.fileTooLarge(cleanFileName(f.Name, 0))
		}
		total += n
	}
	if total > l.MaxTotalBytes {
		return l.totalTooLarge()
	}
	return nil
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// cleanFileName keeps the last path element of an uploaded file's name,
// without control characters, at most 255 characters; an empty name
// becomes "file-N" (N counting from 1).
func cleanFileName(name string, i int) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.TrimSpace(name)
	if name == "." || name == "/" || name == ".." || name == "" {
		return fmt.Sprintf("file-%d", i+1)
	}
	for utf8.RuneCountInString(name) > maxFileName {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// cleanContentType keeps a well-formed media type and drops anything else.
func cleanContentType(ct string) string {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	return mime.FormatMediaType(mt, params)
}

// cleanFiles normalises uploaded files' names and types.
func cleanFiles(files []sdk.File) []sdk.File {
	out := make([]sdk.File, len(files))
	for i, f := range files {
		out[i] = sdk.File{Name: cleanFileName(f.Name, i), ContentType: cleanContentType(f.ContentType), Content: f.Content}
	}
	return out
}
