package respond_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/respond/linktoken"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
	"github.com/dsrhost/dsrhost/sdk"
)

// The seed's deletion answers, word for word.
const (
	textDeleted         = "Yes, we have deleted any applicable data belonging to the data subject."
	textNothingToDelete = "No, we do not hold personal data about the data subject."
	textNotDeleted      = "No, we could not delete data for the data subject."
)

// TestDirectContactEndToEnd runs each answer the way a processor gives it:
// the request runs, the real directcontact plugin emails the processor
// through a real SMTP server, the test reads the link from that email,
// opens the page, answers over HTTP, and checks the integration's label.
func TestDirectContactEndToEnd(t *testing.T) {
	w := newWorld(t)

	t.Run("access with files", func(t *testing.T) {
		e := w.env(t, envOptions{})
		id := e.request(sdk.RequestAccess)
		link := e.link(id)
		e.waitLabel(id, state.Extracting, "Processing Due in 14 days")

		p := getPage(t, link)
		p.want(t, http.StatusOK)
		checkSecurityHeaders(t, p)
		checkAccessible(t, p)
		p.has(t, "Data access request", "access", id, "Due in 14 days",
			subject.Email, subject.Phone, subject.UserID, "loyalty_id", "LY-42",
			"Yes, we hold personal data about the data subject and have uploaded it.", textNothingToDelete)
		p.hasNot(t, "please") // the details the subject reported are not the processor's business

		csv := []byte("email,plan\nada.lovelace@example.org,gold\n")
		pdf := bytes.Repeat([]byte("%PDF"), 1000)
		done := postAnswer(t, link, "files_uploaded", "Exported from the ticket system.",
			upload{name: "tickets.csv", contentType: "text/csv", content: csv},
			upload{name: `C:\exports\letters.pdf`, contentType: "application/pdf", content: pdf})
		done.want(t, http.StatusOK)
		checkSecurityHeaders(t, done)
		done.has(t, "your answer was recorded", "Complete 2 of files uploaded")
		if got := e.state(id, state.Extracting).Label; got != "Complete 2 of files uploaded" {
			t.Errorf("label %q, want %q", got, "Complete 2 of files uploaded")
		}
		files := e.uploaded(id)
		if len(files) != 2 || files[0].Name != "tickets.csv" || !bytes.Equal(files[0].Content, csv) ||
			files[1].Name != "letters.pdf" || files[1].ContentType != "application/pdf" || !bytes.Equal(files[1].Content, pdf) {
			t.Errorf("stored files: %d, want tickets.csv and letters.pdf with their content", len(files))
		}
		waitFor(t, "the request to reach Reply", func() (bool, string) {
			r := e.get(id)
			return r.Stage == state.StageReply, r.Stage.String()
		})

		// The files are stored sealed, and the log holds ids only.
		dump := testredis.Dump(t, w.rdb)
		if bytes.Contains(dump, csv) || bytes.Contains(dump, []byte("Exported from the ticket system.")) {
			t.Error("an uploaded file or the note is in Redis in plaintext")
		}
		logs := e.logs.String()
		if !strings.Contains(logs, "direct contact answer recorded") {
			t.Errorf("the answer was not logged:\n%s", logs)
		}
		_, tok, _ := strings.Cut(link, linktoken.Path)
		for _, secret := range []string{tok, subject.Email, subject.Phone, subject.UserID, "LY-42", "tickets.csv", "letters.pdf"} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds %q:\n%s", secret, logs)
			}
		}

		// The link is spent: the page and a second answer are refused.
		again := getPage(t, link)
		again.want(t, http.StatusGone)
		again.has(t, "This link has already been used.", "each link works for one answer only")
		reuse := postAnswer(t, link, "no_data", "")
		reuse.want(t, http.StatusGone)
		reuse.has(t, "This link has already been used.")
		if got := e.state(id, state.Extracting).Label; got != "Complete 2 of files uploaded" {
			t.Errorf("after reuse, label %q", got)
		}
	})

	t.Run("access with no data", func(t *testing.T) {
		e := w.env(t, envOptions{})
		id := e.request(sdk.RequestAccess)
		link := e.link(id)
		done := postAnswer(t, link, "no_data", "")
		done.want(t, http.StatusOK)
		done.has(t, "Complete No files uploaded", textNothingToDelete)
		e.waitLabel(id, state.Extracting, "Complete No files uploaded")
	})

	for _, tc := range []struct {
		answer, text, label string
	}{
		{"deleted", textDeleted, "Complete Deletion done"},
		{"nothing_to_delete", textNothingToDelete, "Complete Nothing to delete"},
		{"not_deleted", textNotDeleted, "Complete Data found, not deleted"},
	} {
		t.Run("deletion "+tc.answer, func(t *testing.T) {
			e := w.env(t, envOptions{})
			id := e.request(sdk.RequestDeletion)
			link := e.link(id)
			m := e.email(id)
			for _, s := range []string{textDeleted, textNothingToDelete, textNotDeleted} {
				if !strings.Contains(m.Body, s) {
					t.Errorf("the email does not quote %q", s)
				}
			}
			e.waitLabel(id, state.PendingDelete, "Processing Due in 14 days")
			p := getPage(t, link)
			p.want(t, http.StatusOK)
			checkAccessible(t, p)
			p.has(t, "Data deletion request", textDeleted, textNothingToDelete, textNotDeleted)
			if len(p.nodes("input")) != 3 {
				t.Errorf("%d inputs, want the three answers and no file upload", len(p.nodes("input")))
			}
			done := postAnswer(t, link, tc.answer, "Done by the support team.")
			done.want(t, http.StatusOK)
			done.has(t, tc.text, tc.label)
			if got := e.state(id, state.PendingDelete).Label; got != tc.label {
				t.Errorf("label %q, want %q", got, tc.label)
			}
			getPage(t, link).want(t, http.StatusGone)
		})
	}

	t.Run("identifiers found by a dependency", func(t *testing.T) {
		e := w.env(t, envOptions{dependsOn: "crm"})
		id := e.request(sdk.RequestAccess)
		link := e.link(id)
		if m := e.email(id); !strings.Contains(m.Body, "crm-77301") {
			t.Error("the email lacks the identifier the dependency found")
		}
		p := getPage(t, link)
		p.want(t, http.StatusOK)
		p.has(t, "crm_id", "crm-77301")
	})

	t.Run("wrong answers leave the link working", func(t *testing.T) {
		e := w.env(t, envOptions{})
		id := e.request(sdk.RequestDeletion)
		link := e.link(id)
		for _, tc := range []struct {
			name, answer string
			files        []upload
			status       int
			says         string
		}{
			{"no answer", "", nil, http.StatusBadRequest, "Pick one of the answers"},
			{"an access answer", "files_uploaded", nil, http.StatusBadRequest, "Pick one of the answers"},
			{"files with a deletion answer", "deleted", []upload{{name: "a.txt", contentType: "text/plain", content: []byte("x")}},
				http.StatusBadRequest, "Files can only be sent"},
		} {
			p := postAnswer(t, link, tc.answer, "", tc.files...)
			if p.status != tc.status || !strings.Contains(p.text(), tc.says) || !strings.Contains(p.text(), "Your answer was not recorded.") {
				t.Errorf("%s: status %d, page %q; want %d saying %q", tc.name, p.status, p.text(), tc.status, tc.says)
			}
		}
		if got := e.state(id, state.PendingDelete).Label; got != "Processing Due in 14 days" {
			t.Errorf("label %q after refused answers", got)
		}
		// A plain urlencoded form (no file input) works as well.
		req, err := http.NewRequest(http.MethodPost, link, strings.NewReader(url.Values{"answer": {"deleted"}, "note": {"By curl."}}.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		done := fetch(t, req)
		done.want(t, http.StatusOK)
		done.has(t, "Complete Deletion done")
	})
}

// TestUploadLimits sends too many and too large files; each is refused
// with 413 and a plain message, nothing is recorded, and the link works
// afterwards.
func TestUploadLimits(t *testing.T) {
	w := newWorld(t)
	e := w.env(t, envOptions{limits: limits(2, 1024, 1536)})
	id := e.request(sdk.RequestAccess)
	link := e.link(id)
	small := func(name string) upload {
		return upload{name: name, contentType: "text/plain", content: bytes.Repeat([]byte("a"), 600)}
	}
	for _, tc := range []struct {
		name  string
		files []upload
		says  string
	}{
		{"three files", []upload{small("1.txt"), small("2.txt"), small("3.txt")}, "At most 2 files"},
		{"a file over 1 KiB", []upload{{name: "big.csv", contentType: "text/csv", content: bytes.Repeat([]byte("b"), 1025)}},
			`The file "big.csv" is larger than the 1 KiB allowed`},
		{"over 1.5 KiB together", []upload{{name: "1.txt", content: bytes.Repeat([]byte("a"), 1000)}, {name: "2.txt", content: bytes.Repeat([]byte("a"), 1000)}},
			"The files together are larger than the 1536 bytes allowed"},
		{"a body over the whole limit", []upload{{name: "huge.bin", content: bytes.Repeat([]byte("h"), 3<<20)}}, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := postAnswer(t, link, "files_uploaded", "", tc.files...)
			p.want(t, http.StatusRequestEntityTooLarge)
			p.has(t, "Your answer was not recorded.", tc.says)
		})
	}
	p := postAnswer(t, link, "files_uploaded", "")
	p.want(t, http.StatusBadRequest)
	p.has(t, "Choose at least one file")
	if got := e.state(id, state.Extracting).Label; got != "Processing Due in 14 days" {
		t.Fatalf("label %q after refused uploads", got)
	}
	done := postAnswer(t, link, "files_uploaded", "", small("ok.txt"))
	done.want(t, http.StatusOK)
	done.has(t, "Complete 1 of files uploaded")
}

// TestSlowUpload sends an answer more slowly than the server's read and
// write timeouts allow a request: the page lifts them for its upload.
func TestSlowUpload(t *testing.T) {
	w := newWorld(t)
	e := w.env(t, envOptions{readTimeout: 300 * time.Millisecond})
	id := e.request(sdk.RequestAccess)
	link := e.link(id)

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("answer", "files_uploaded")
		part, _ := mw.CreateFormFile("files", "slow.csv")
		for range 8 {
			_, _ = part.Write([]byte("row,value\n"))
			time.Sleep(100 * time.Millisecond)
		}
		_ = mw.Close()
		_ = pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, link, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	done := fetch(t, req)
	done.want(t, http.StatusOK)
	done.has(t, "Complete 1 of files uploaded")
}
