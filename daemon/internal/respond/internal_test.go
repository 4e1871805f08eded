package respond

import (
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestCleanFileName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"export.csv", "export.csv"},
		{`C:\Users\ops\export.csv`, "export.csv"},
		{"../../etc/passwd", "passwd"},
		{"/", "file-3"},
		{"", "file-3"},
		{"..", "file-3"},
		{"a\x00b\nc.txt", "abc.txt"},
		{"  spaced.txt  ", "spaced.txt"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{strings.Repeat("é", 300), strings.Repeat("é", 255)},
	} {
		if got := cleanFileName(tc.in, 2); got != tc.want {
			t.Errorf("cleanFileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCleanContentType(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"text/csv", "text/csv"},
		{"text/plain; charset=UTF-8", "text/plain; charset=UTF-8"},
		{"", "application/octet-stream"},
		{"nonsense", "application/octet-stream"},
		{"text/html\r\nX-Evil: 1", "application/octet-stream"},
	} {
		if got := cleanContentType(tc.in); got != tc.want {
			t.Errorf("cleanContentType(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBytesText(t *testing.T) {
	for n, want := range map[int64]string{25 << 20: "25 MiB", 100 << 20: "100 MiB", 1024: "1 KiB", 1536: "1536 bytes", 10: "10 bytes"} {
		if got := bytesText(n); got != want {
			t.Errorf("bytesText(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestChoices: the deletion sentences are the seed's, word for word, and
// every answer the engine accepts has a choice.
func TestChoices(t *testing.T) {
	var got []string
	for _, c := range choices(state.PendingDelete) {
		got = append(got, c.Text)
	}
	want := []string{
		"Yes, we have deleted any applicable data belonging to the data subject.",
		"No, we do not hold personal data about the data subject.",
		"No, we could not delete data for the data subject.",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("deletion answers %q, want %q", got, want)
	}
	for _, w := range []state.Workflow{state.Extracting, state.PendingDelete} {
		if len(choices(w)) != len(engine.Answers(w)) {
			t.Errorf("%s: %d choices for %d answers", w, len(choices(w)), len(engine.Answers(w)))
		}
		for _, c := range choices(w) {
			if _, ok := answersOut[c.Answer]; !ok || c.Value == "" || c.Text == "" {
				t.Errorf("%s: choice %+v is incomplete", w, c)
			}
		}
	}
	if up := choices(state.Extracting); !up[0].Files || up[1].Files {
		t.Error("only the first access answer goes with files")
	}
}

// TestRefusalsArePlain: every reason has a heading and an explanation,
// and neither holds anything but words.
func TestRefusalsArePlain(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range []Reason{RefusedInvalid, RefusedExpired, RefusedUsed, RefusedClosed, RefusedBusy} {
		ref := &Refusal{Reason: r, ExpiredAt: time.Date(2030, 3, 22, 9, 0, 0, 0, time.UTC)}
		if ref.Title() == "" || len(ref.Message()) < 40 || seen[ref.Title()] {
			t.Errorf("reason %d: title %q, message %q", r, ref.Title(), ref.Message())
		}
		seen[ref.Title()] = true
	}
	if m := (&Refusal{Reason: RefusedExpired, ExpiredAt: time.Date(2030, 3, 22, 9, 0, 0, 0, time.UTC)}).Message(); !strings.Contains(m, "Friday 22 March 2030") {
		t.Errorf("expired message %q does not say when", m)
	}
}

func TestLimitsCheck(t *testing.T) {
	l := Limits{MaxFiles: 2, MaxFileBytes: 10, MaxTotalBytes: 15}.withDefaults()
	f := func(n int) sdk.File { return sdk.File{Name: "f", Content: make([]byte, n)} }
	for _, tc := range []struct {
		files []sdk.File
		ok    bool
	}{
		{nil, true},
		{[]sdk.File{f(10)}, true},
		{[]sdk.File{f(11)}, false},
		{[]sdk.File{f(8), f(8)}, false},
		{[]sdk.File{f(1), f(1), f(1)}, false},
	} {
		if e := l.check(tc.files); (e == nil) != tc.ok || (e != nil && (!e.TooLarge || e.Field != "files")) {
			t.Errorf("%d files: %v", len(tc.files), e)
		}
	}
	if d := (Limits{}).withDefaults(); d.MaxFiles != 10 || d.MaxFileBytes != 25<<20 || d.MaxTotalBytes != 100<<20 {
		t.Errorf("defaults %+v", d)
	}
}
