package respond

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/respond/linktoken"
	"github.com/dsrhost/dsrhost/daemon/internal/websecure"
)

// PageHandler serves the answer page at GET and POST
// /respond/{token}; mount it at "/respond/" (linktoken.Path) on the server
// that server.public_url reaches. GET shows the request and the answers;
// POST (multipart/form-data, files optional) records the answer and shows a
// confirmation with the integration's resulting state.
//
// The POST needs no CSRF token: it is authorised by the link token itself,
// which is single use and known only to the email's recipients. Every page
// holds personal data, so none is cached, framed or referred.
func (r *Responder) PageHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+linktoken.Path+"{token}", r.showPage)
	mux.HandleFunc("POST "+linktoken.Path+"{token}", r.postPage)
	mux.HandleFunc(linktoken.Path, func(w http.ResponseWriter, _ *http.Request) {
		r.writePage(w, http.StatusForbidden, "refused", pageData{Title: "Link not valid", Refusal: &Refusal{Reason: RefusedInvalid}})
	})
	return secure(mux)
}

// secure sets the headers every page gets.
func secure(next http.Handler) http.Handler {
	return websecure.Headers(pages.CSP(), next)
}

func (r *Responder) showPage(w http.ResponseWriter, req *http.Request) {
	t, err := r.Task(req.Context(), req.PathValue("token"))
	if err != nil {
		r.writeError(w, err)
		return
	}
	r.writePage(w, http.StatusOK, "task", r.taskPage(t))
}

func (r *Responder) postPage(w http.ResponseWriter, req *http.Request) {
	// The link first: a refused one reads no upload.
	t, err := r.Task(req.Context(), req.PathValue("token"))
	if err != nil {
		r.writeError(w, err)
		return
	}
	// Uploads may outlast the server's timeouts, which suit the admin API.
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(r.upload)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)
	up, err := r.newUpload(t)
	if err != nil {
		r.writeError(w, err)
		return
	}
	f, err := readForm(w, req, r.limits, up)
	if err == nil {
		err = r.checkForm(t, f)
	}
	if err != nil {
		r.discard(req.Context(), t, up)
		if f == nil {
			f = &form{}
		}
		r.formError(w, t, f, err)
		return
	}
	choice, _ := choiceByValue(t.Workflow, f.answer)
	rec, err := r.submit(req.Context(), t, Submission{Answer: choice.Answer, Upload: up, Note: f.note})
	if err != nil {
		r.formError(w, t, f, err)
		return
	}
	r.writePage(w, http.StatusOK, "done", pageData{Title: "Answer recorded", Receipt: rec})
}

// checkForm checks the page's own rules on a form read whole.
func (r *Responder) checkForm(t *Task, f *form) error {
	choice, ok := choiceByValue(t.Workflow, f.answer)
	if !ok {
		return &InputError{Field: "answer", Message: "Pick one of the answers below."}
	}
	if choice.Files && f.upload.Len() == 0 {
		return &InputError{Field: "files",
			Message: "Choose at least one file to upload with this answer, or pick the answer that you hold no personal data."}
	}
	return nil
}

// formError shows the form again with the problem above it, or the
// refusal or failure page.
func (r *Responder) formError(w http.ResponseWriter, t *Task, f *form, err error) {
	var in *InputError
	if !errors.As(err, &in) {
		var ref *Refusal
		if !errors.As(err, &ref) && !errors.Is(err, errInternal) {
			err = r.internal("read answer page", t.claims, err)
		}
		r.writeError(w, err)
		return
	}
	d := r.taskPage(t)
	d.Error, d.Chosen, d.Note = in, f.answer, f.note
	status := http.StatusBadRequest
	if in.TooLarge {
		status = http.StatusRequestEntityTooLarge
	}
	r.writePage(w, status, "task", d)
}

func (r *Responder) taskPage(t *Task) pageData {
	title := "Privacy request"
	switch t.RequestType {
	case "access":
		title = "Data access request"
	case "deletion":
		title = "Data deletion request"
	}
	return pageData{Title: title, Task: t, Limits: r.limits, MaxNote: MaxNoteChars}
}

// writeError shows a refusal with its status (403 for a link that was never
// valid, 410 for one that was and no longer is, 409 while another answer is
// being recorded), or the failure page.
func (r *Responder) writeError(w http.ResponseWriter, err error) {
	var ref *Refusal
	if !errors.As(err, &ref) {
		r.writePage(w, http.StatusInternalServerError, "failed", pageData{Title: "Something went wrong"})
		return
	}
	status := http.StatusGone
	switch ref.Reason {
	case RefusedInvalid:
		status = http.StatusForbidden
	case RefusedBusy:
		status = http.StatusConflict
	}
	r.writePage(w, status, "refused", pageData{Title: strings.TrimSuffix(ref.Title(), "."), Refusal: ref})
}

func (r *Responder) writePage(w http.ResponseWriter, status int, name string, d pageData) {
	d.Style = pages.Style()
	if err := pages.Write(w, status, name, d); err != nil {
		r.log.Error("render the direct contact page", "page", name, "error", err)
	}
}
